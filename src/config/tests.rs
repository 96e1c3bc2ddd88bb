use super::*;

fn cfg(text: &str) -> Result<Config> {
    Config::from_text(
        PathBuf::from("/repo"),
        Some(PathBuf::from("/repo/.sddgate.yml")),
        text,
    )
}

proptest::proptest! {
    /// The ASCII shortcut of `normalize_heading` gives what the general path gives.
    #[test]
    fn ascii_headings_normalize_as_before(s in "[ -~]{0,40}|[ -~ёЁ\u{2010}\u{2011}]{0,20}") {
        let t = s.trim();
        let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')');
        let t = t.trim().trim_end_matches([':', '.']).trim();
        let general = t
            .to_lowercase()
            .replace('ё', "е")
            .replace(['\u{2011}', '\u{2010}'], "-");
        proptest::prop_assert_eq!(normalize_heading(&s), general);
    }

    /// `section_of` finds what looking each kind up in `SectionKind::ALL` order finds:
    /// headings made of any alias (built-in, preset or configured; `Why not`, configured
    /// for actions, also matches as `why`, so the order decides), a suffix that may or may
    /// not continue the word, and noise.
    #[test]
    fn section_of_matches_a_lookup_in_kind_order(
        pick in 0usize..200,
        suffix in "|[ :—(-][a-zа-я ]{0,8}|[a-zа-я0-9][a-z ]{0,5}",
        prefix in "|[0-9]{1,2}[.)] ?|## ",
        noise in "[ -~Зз]{0,12}",
    ) {
        let c = cfg("preset: spec-kit\nsections:\n  why: [\"Raison d'être\"]\n  actions: [\"Allowed ops\", \"Why not\"]\n").unwrap();
        let aliases: Vec<&String> = c.sections.values().flatten().collect();
        let heading = match aliases.get(pick % (aliases.len() + 1)) {
            Some(a) => format!("{prefix}{a}{suffix}"),
            None => noise,
        };
        let h = normalize_heading(&heading);
        let by_kind = SectionKind::ALL.into_iter().find(|k| {
            c.sections[k].iter().any(|alias| {
                h == *alias
                    || h.strip_prefix(alias.as_str())
                        .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric()))
            })
        });
        proptest::prop_assert_eq!(c.section_of(&heading), by_kind, "{:?}", heading);
    }
}

#[test]
fn headings_are_lowercased_and_unnumbered() {
    assert_eq!(
        normalize_heading(" 2) Why — Business Impact: "),
        "why — business impact"
    );
    assert_eq!(normalize_heading("3. WHAT:"), "what");
    assert_eq!(normalize_heading("Ёлка\u{2011}Why"), "елка-why");
}

#[test]
fn defaults_have_the_three_builtin_profiles() {
    let c = cfg("").unwrap();
    assert_eq!(c.default_profile, "standard");
    for p in ["low_risk", "standard", "high_risk"] {
        assert!(c.profiles.contains_key(p), "{p}");
    }
}

#[test]
fn unknown_keys_are_errors_with_their_line() {
    let err = cfg("version: 1\nprofiels: {}\n").unwrap_err().to_string();
    assert!(err.starts_with(".sddgate.yml:2:"), "{err}");
    assert!(err.contains("unknown field `profiels`"), "{err}");
}

#[test]
fn unknown_minimum_profile_is_an_error() {
    let err = cfg("minimum_profile: strict\n").unwrap_err().to_string();
    assert!(err.contains("unknown profile `strict`"), "{err}");
    assert!(err.starts_with(".sddgate.yml:1:"), "{err}");
}

#[test]
fn a_profile_below_the_minimum_is_raised() {
    let c = cfg("minimum_profile: standard\n").unwrap();
    let (p, raised) = c.profile_for(Some("low_risk")).unwrap();
    assert_eq!(p.name, "standard");
    assert_eq!(raised.as_deref(), Some("low_risk"));
    let (p, raised) = c.profile_for(Some("high_risk")).unwrap();
    assert_eq!((p.name.as_str(), raised), ("high_risk", None));
}

#[test]
fn the_spec_kit_preset_maps_its_headings_and_finds_its_specs() {
    let c = cfg("preset: spec-kit\n").unwrap();
    assert_eq!(c.preset, Some(Preset::SpecKit));
    assert_eq!(c.spec_globs, ["**/specify.md", "**/specs/*/spec.md"]);
    assert!(!c.requires_actions());
    // The `*(mandatory)*` suffix reaches the config as ` (mandatory)` (the emphasis is
    // markup): the alias matches the heading's start, followed by a non-alphanumeric.
    for (h, k) in [
        ("User Scenarios & Testing (mandatory)", SectionKind::Why),
        ("Primary User Story", SectionKind::Why),
        ("Requirements (mandatory)", SectionKind::What),
        ("Functional Requirements", SectionKind::What),
        ("Edge Cases", SectionKind::Constraints),
        ("Success Criteria (mandatory)", SectionKind::Acceptance),
        ("Acceptance Scenarios", SectionKind::Acceptance),
        ("Why", SectionKind::Why),
    ] {
        assert_eq!(c.section_of(h), Some(k), "{h}");
    }
    for h in [
        "Key Entities (include if feature involves data)",
        "Requirementsless",
    ] {
        assert_eq!(c.section_of(h), None, "{h}");
    }
    // Without the preset none of spec-kit's mandatory headings but Success Criteria count.
    let plain = cfg("").unwrap();
    assert_eq!(plain.section_of("Requirements (mandatory)"), None);
    assert_eq!(plain.section_of("Edge Cases"), None);
    assert!(plain.requires_actions());
    // Globs written in the file win over the preset's.
    let c = cfg("preset: spec-kit\ndiscovery:\n  specs: [\"docs/*.md\"]\n").unwrap();
    assert_eq!(c.spec_globs, ["docs/*.md"]);
}

#[test]
fn an_unknown_preset_names_the_line_and_the_known_ones() {
    let err = cfg("version: 1\npreset: speckit\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(".sddgate.yml:2:"), "{err}");
    assert!(
        err.contains("unknown preset `speckit`, expected one of `spec-kit`"),
        "{err}"
    );
}

#[test]
fn headings_match_through_aliases() {
    let c = cfg("sections:\n  why: [\"Raison d'être\"]\n").unwrap();
    assert_eq!(c.section_of("## 1. Why"), None); // the caller strips the hashes
    assert_eq!(c.section_of("1. Why"), Some(SectionKind::Why));
    assert_eq!(
        c.section_of("Why — business impact"),
        Some(SectionKind::Why)
    );
    assert_eq!(c.section_of("Raison d'être"), Some(SectionKind::Why));
    assert_eq!(c.section_of("Зачем"), Some(SectionKind::Why));
    assert_eq!(
        c.section_of("Критерии успеха"),
        Some(SectionKind::Acceptance)
    );
    assert_eq!(c.section_of("Whyever"), None);
    assert_eq!(
        c.section_of("Pre-approved actions"),
        Some(SectionKind::Actions)
    );
}
