//! Fitting a document into GitHub's limits: later incidents' details go first, then table
//! rows, then a cut at a line break, each saying what was left out.

use super::*;

// ---------------------------------------------------------------------------------------------
// Fitting a document into a limit

/// A limit, how it is counted, and what the note about a cut says.
pub(super) struct Budget {
    pub(super) limit: usize,
    pub(super) bytes: bool,
    /// `GitHub limits a comment to 65,535 characters`.
    pub(super) why: &'static str,
    /// `the job summary has them`.
    pub(super) rest: &'static str,
}

impl Budget {
    pub(super) fn size(&self, s: &str) -> usize {
        if self.bytes {
            s.len()
        } else {
            s.chars().count()
        }
    }

    /// The longest prefix of `s` within `max` units, at a char boundary.
    pub(super) fn prefix<'s>(&self, s: &'s str, max: usize) -> &'s str {
        if self.size(s) <= max {
            return s;
        }
        let end = if self.bytes {
            (0..=max)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0)
        } else {
            s.char_indices().nth(max).map_or(s.len(), |(i, _)| i)
        };
        &s[..end]
    }
}

/// The parts of a document in their order; rows and details can be dropped from the end.
#[derive(Default)]
pub(super) struct Doc {
    pub(super) head: String,
    pub(super) table: Option<(String, Vec<String>)>,
    pub(super) details: Vec<String>,
    pub(super) tail: String,
    pub(super) footer: String,
}

pub(super) fn details_note(n: usize, b: &Budget) -> String {
    if n == 0 {
        return String::new();
    }
    let whose = if n == 1 {
        "1 incident's".to_string()
    } else {
        format!("{n} incidents'")
    };
    format!("*… {whose} details omitted ({}); {}.*\n\n", b.why, b.rest)
}

pub(super) fn rows_note(n: usize, b: &Budget) -> String {
    if n == 0 {
        return String::new();
    }
    format!(
        "\n*… {} more not listed ({}); {}.*\n",
        plural(n, "incident"),
        b.why,
        b.rest
    )
}

impl Doc {
    pub(super) fn render(&self, rows: usize, details: usize, b: &Budget) -> String {
        let mut s = self.head.clone();
        if let Some((header, all)) = &self.table {
            s.push_str(header);
            for r in &all[..rows] {
                s.push_str(r);
            }
            s.push_str(&rows_note(all.len() - rows, b));
            s.push('\n');
        }
        for d in &self.details[..details] {
            s.push_str(d);
        }
        s.push_str(&details_note(self.details.len() - details, b));
        s.push_str(&self.tail);
        s.push_str(&self.footer);
        s
    }

    /// Everything, or without the last incidents' details, or without the last table rows
    /// too, or cut: always within `b.limit`, always starting with the head.
    pub(super) fn fit(&self, b: &Budget) -> String {
        let rows: &[String] = self.table.as_ref().map_or(&[], |(_, r)| r);
        let fixed = self.render(0, 0, b);
        let fixed = b.size(&fixed)
            - b.size(&rows_note(rows.len(), b))
            - b.size(&details_note(self.details.len(), b));
        let row_sizes: Vec<usize> = rows.iter().map(|r| b.size(r)).collect();
        let det_sizes: Vec<usize> = self.details.iter().map(|d| b.size(d)).collect();
        let all_rows: usize = row_sizes.iter().sum();
        let total = |r: usize, d: usize| {
            fixed
                + row_sizes[..r].iter().sum::<usize>()
                + b.size(&rows_note(rows.len() - r, b))
                + det_sizes[..d].iter().sum::<usize>()
                + b.size(&details_note(self.details.len() - d, b))
        };
        // 1. Drop details from the end.
        let mut sum = fixed + all_rows;
        let mut keep = 0;
        for (k, size) in det_sizes.iter().enumerate() {
            if sum + size + b.size(&details_note(self.details.len() - k - 1, b)) > b.limit {
                break;
            }
            sum += size;
            keep = k + 1;
        }
        if total(rows.len(), keep) <= b.limit {
            return self.render(rows.len(), keep, b);
        }
        // 2. Drop table rows from the end.
        let mut r = rows.len();
        while r > 0 && total(r, 0) > b.limit {
            r -= 1;
        }
        let s = self.render(r, 0, b);
        if b.size(&s) <= b.limit {
            return s;
        }
        // 3. Cut at a line break, and say so.
        let note = format!("\n\n*… the rest was cut ({}); {}.*\n", b.why, b.rest);
        let room = b.limit.saturating_sub(b.size(&note));
        let mut cut = b.prefix(&s, room);
        if let Some(nl) = cut.rfind('\n')
            && nl >= self.head.len().min(cut.len())
        {
            cut = &cut[..nl];
        }
        let mut out = cut.to_string();
        out.push_str(&note);
        if b.size(&out) > b.limit {
            // Only with a limit smaller than the note itself.
            out = b.prefix(&out, b.limit).to_string();
        }
        out
    }
}
