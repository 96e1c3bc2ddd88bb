//! Synthetic corpus of incident documents for the end-to-end benchmark (issue 6).
//!
//! ```text
//! cargo run --release --example gen_corpus -- N DIR [--seed S]
//! ```
//!
//! Writes N incidents in the layout of `../shared/SPEC.md` under `DIR/specs/<type>_<nnnnn>/`,
//! five files each: `specify.md` (front matter, Why / What / Constraints / Acceptance /
//! Pre-approved actions, 1–3 KB of varied prose), `plan.md`, `tasks.md`, `validation.md` and
//! `readiness.md` (front matter scoring the incident, evidence pointing at the phase
//! documents). `DIR/.git/` is created empty so that `sddgate` takes DIR as the repository root
//! (`config::find_root` looks for the nearest ancestor holding `.git`).
//!
//! The audit trail is there, as in a repository that follows the lesson: the trace log
//! `DIR/.sddgate/trace.jsonl` holds the six links of every incident's chain (webhook received
//! → event normalized → specify → spec diff → commit → validate), one record per line as
//! `sddgate trace append` writes them, incident after incident. So `check` computes every
//! incident's audit coverage from the log, as it does for its users. Such a log passes the
//! built-in 4 MiB file limit at about 6,000 incidents, so `DIR/.sddgate.yml` raises
//! `limits.max_file_size` to fit it (a repository with that many incidents needs the same);
//! nothing else in it departs from the built-in defaults (profile `standard`).
//!
//! Planted findings, drawn independently per incident:
//!
//! - ~10% of specs name a concrete command (one, sometimes two), in one of many forms: fenced,
//!   indented and inline code, prose, a table cell, an action's description; behind `sudo`, an
//!   env assignment, an absolute path, the alias `k`, a line continuation, a Unicode
//!   look-alike or a zero-width character; kubectl, helm, terraform, psql, curl, aws, gcloud,
//!   redis-cli, systemctl, docker, argocd, kill, rm, raw API calls;
//! - ~15% of readiness documents trip one blocker (verification/spec/process under the
//!   floor, security 0, coverage < 1, an evidence file that does not exist, a radius that is
//!   missing or too wide without a verified dry-run, no rollback, a rollback path that does
//!   not exist, stateful without a verified backup);
//! - ~8% score 20–22 with no blocker: semi-manual;
//! - ~3% of chains miss one link in the trace log while the readiness document claims full
//!   coverage: blocked (`audit_trace_incomplete`), whatever else the incident has.
//!
//! Clean specs also carry distractors that must stay silent (a tool named in prose without an
//! invocation: "the on-call has kubectl access"), and the phase documents quote the read-only
//! commands that were run (`kubectl get pods` in validation.md), as real ones do.
//!
//! The corpus is a function of (N, seed) alone: each incident draws from its own generator
//! seeded by (seed, index), so the output does not depend on the number of threads. The
//! expected decision of every incident is written to `DIR/.git/sddgate-corpus-expected.tsv`
//! (`dir  expected  commands  blocker  semi`), and the one-line summary on stdout counts what
//! was planted. DIR must be empty, missing, or a corpus written by this generator (it is then
//! replaced): the generator never deletes anything else.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Bumped whenever the output for a given (N, seed) changes; `benches/e2e.sh` also hashes this
/// file, so this is for humans and the marker file.
const GEN_VERSION: u32 = 2;
const MARKER: &str = ".git/sddgate-corpus";
const EXPECTED: &str = ".git/sddgate-corpus-expected.tsv";
const TRACE_LOG: &str = ".sddgate/trace.jsonl";
const CONFIG: &str = ".sddgate.yml";
// The six links of a chain, in order.
use sddgate::trace::STEPS;

const P_COMMAND: f64 = 0.10;
const P_TWO_COMMANDS: f64 = 0.20;
const P_BLOCKER: f64 = 0.15;
const P_SEMI: f64 = 0.08;
const P_DISTRACTOR: f64 = 0.30;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (SplitMix64): no dependency, stable across platforms and versions.

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Inclusive range.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// `k` distinct indices of `0..n`, in drawn order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            idx.swap(i, j);
        }
        idx.truncate(k.min(n));
        idx
    }
    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }
    fn alnum(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"bcdfghjklmnpqrstvwxz2456789"[self.below(27)]))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

struct ActionDef {
    name: &'static str,
    requires: &'static [&'static str],
    desc: &'static str,
}

const fn a(name: &'static str, requires: &'static [&'static str], desc: &'static str) -> ActionDef {
    ActionDef {
        name,
        requires,
        desc,
    }
}

struct Kind {
    name: &'static str,
    prefix: &'static str,
    metric: &'static str,
    unit: &'static str,
    lo: u32,
    hi: u32,
    /// The alert fires when the metric is above the threshold (else below).
    above: bool,
    symptom: &'static str,
    harm: &'static str,
    cause: &'static str,
    actions: &'static [ActionDef],
}

const RESTART_POD: ActionDef = a(
    "restart_pod",
    &[],
    "replace the affected pod; the disruption budget keeps the others serving",
);
const SCALE_UP_ONE: ActionDef = a(
    "scale_up_replicas_one",
    &["stateless", "hpa_enabled"],
    "add one replica, never beyond the autoscaler's maximum",
);
const ROLLBACK_RELEASE: ActionDef = a(
    "rollback_last_release",
    &["release_within_24h"],
    "return to the previous release recorded by the delivery pipeline",
);

const KINDS: &[Kind] = &[
    Kind {
        name: "high_memory_usage",
        prefix: "HM",
        metric: "memory_percent",
        unit: "%",
        lo: 85,
        hi: 95,
        above: true,
        symptom: "one pod's memory climbs past {thr}% of its container limit",
        harm: "garbage-collection pauses push its p95 latency over {p95x} ms and the kernel eventually terminates the container, dropping every in-flight request",
        cause: "an unbounded cache in the request path that grows with every release since {ver}",
        actions: &[RESTART_POD, SCALE_UP_ONE],
    },
    Kind {
        name: "disk_pressure",
        prefix: "DP",
        metric: "disk_used_percent",
        unit: "%",
        lo: 85,
        hi: 97,
        above: true,
        symptom: "the data volume of a pod fills past {thr}%",
        harm: "writes start failing and the service answers uploads with errors",
        cause: "debug logs left on after an investigation and orphaned upload chunks",
        actions: &[
            a(
                "rotate_logs",
                &["log_volume_mounted"],
                "compress and ship the current log files, keeping the last hour on the volume",
            ),
            a(
                "clear_tmp_uploads",
                &[],
                "remove upload chunks older than 24 hours from the scratch directory",
            ),
            a(
                "expand_volume_ten_percent",
                &["volume_expandable"],
                "grow the claim by ten percent, once per day at most",
            ),
        ],
    },
    Kind {
        name: "certificate_expiry",
        prefix: "CE",
        metric: "cert_days_left",
        unit: " days",
        lo: 7,
        hi: 21,
        above: false,
        symptom: "the serving certificate has fewer than {thr} days left",
        harm: "clients that pin the chain start failing the handshake the moment it lapses",
        cause: "a renewal job that silently lost access to the issuer after a credentials rotation",
        actions: &[
            a(
                "renew_certificate",
                &["issuer_healthy"],
                "request a fresh certificate from the internal issuer",
            ),
            a(
                "reload_ingress_certificates",
                &[],
                "make the ingress pick up the renewed secret without dropping connections",
            ),
        ],
    },
    Kind {
        name: "queue_backlog",
        prefix: "QB",
        metric: "queue_depth",
        unit: " messages",
        lo: 5000,
        hi: 50000,
        above: true,
        symptom: "the work queue grows past {thr} messages",
        harm: "customers wait minutes for confirmations that normally arrive in seconds",
        cause: "a slow downstream dependency that halves the throughput of each consumer",
        actions: &[
            a(
                "scale_up_consumers_two",
                &["stateless"],
                "add two consumers, never beyond the configured ceiling",
            ),
            a(
                "pause_producer_batch_jobs",
                &[],
                "hold the nightly batch producers until the backlog drains",
            ),
        ],
    },
    Kind {
        name: "replication_lag",
        prefix: "RL",
        metric: "replica_lag_seconds",
        unit: " s",
        lo: 30,
        hi: 300,
        above: true,
        symptom: "a read replica falls more than {thr} s behind the primary",
        harm: "customers read stale balances and support tickets follow within the hour",
        cause: "long analytical queries holding back the replay on one replica",
        actions: &[
            a(
                "remove_lagging_replica_from_pool",
                &["replicas_healthy_min_two"],
                "take the lagging replica out of the read pool until it catches up",
            ),
            a(
                "rebuild_replica_from_snapshot",
                &["backup_verified"],
                "rebuild the replica from the last verified snapshot",
            ),
        ],
    },
    Kind {
        name: "connection_pool_exhaustion",
        prefix: "CP",
        metric: "pool_in_use_percent",
        unit: "%",
        lo: 90,
        hi: 99,
        above: true,
        symptom: "the database connection pool stays above {thr}% in use",
        harm: "new requests queue for a connection and time out after five seconds",
        cause: "connections leaked on an error path that skips the release",
        actions: &[
            a(
                "recycle_idle_connections",
                &[],
                "close connections idle for more than five minutes, pod by pod",
            ),
            RESTART_POD,
        ],
    },
    Kind {
        name: "error_rate_spike",
        prefix: "ER",
        metric: "http_5xx_ratio",
        unit: "%",
        lo: 2,
        hi: 10,
        above: true,
        symptom: "the 5xx ratio of the deployment passes {thr}%",
        harm: "a share of every page view fails and the error budget burns at many times its rate",
        cause: "a release that changed a serialisation format still read by older clients",
        actions: &[
            ROLLBACK_RELEASE,
            a(
                "disable_feature_flag",
                &["flag_registered"],
                "turn off the flag introduced by the failing release",
            ),
        ],
    },
    Kind {
        name: "high_latency",
        prefix: "HL",
        metric: "p95_latency_ms",
        unit: " ms",
        lo: 400,
        hi: 1500,
        above: true,
        symptom: "p95 latency of the booking endpoints passes {thr} ms",
        harm: "the mobile apps hit their client timeout and show a retry screen",
        cause: "one availability zone with a degraded network path to the database",
        actions: &[
            a(
                "shift_traffic_to_healthy_zone",
                &["second_zone_healthy"],
                "move the traffic weight away from the degraded zone, in steps of 25%",
            ),
            RESTART_POD,
        ],
    },
    Kind {
        name: "node_not_ready",
        prefix: "NR",
        metric: "node_not_ready_minutes",
        unit: " min",
        lo: 5,
        hi: 15,
        above: true,
        symptom: "a node stays NotReady for more than {thr} minutes",
        harm: "the pods scheduled there are unreachable and their replicas carry the whole load",
        cause: "a kernel soft lockup under memory pressure on the older node image",
        actions: &[
            a(
                "cordon_and_replace_node",
                &["node_pool_autoscaling"],
                "stop scheduling on the node and let the pool bring a fresh one",
            ),
            a(
                "move_pods_off_node",
                &["pdb_allows_disruption"],
                "reschedule the pods of the node, respecting every disruption budget",
            ),
        ],
    },
    Kind {
        name: "pod_crashloop",
        prefix: "CL",
        metric: "restart_count",
        unit: " restarts",
        lo: 5,
        hi: 20,
        above: true,
        symptom: "a pod restarts more than {thr} times in 30 minutes",
        harm: "capacity drops by one replica and the remaining ones run hot",
        cause: "a configuration value that fails validation only on cold start",
        actions: &[ROLLBACK_RELEASE, RESTART_POD],
    },
    Kind {
        name: "oom_killed",
        prefix: "OK",
        metric: "oom_kills_per_hour",
        unit: "",
        lo: 3,
        hi: 10,
        above: true,
        symptom: "containers are terminated for memory more than {thr} times an hour",
        harm: "every termination drops the requests in flight and resets the warm caches",
        cause: "a memory request set below the real working set after the last resize",
        actions: &[
            a(
                "raise_memory_request_one_step",
                &["quota_headroom"],
                "raise the memory request by one step of the sizing table",
            ),
            RESTART_POD,
        ],
    },
    Kind {
        name: "kafka_consumer_lag",
        prefix: "KL",
        metric: "consumer_lag",
        unit: " messages",
        lo: 10000,
        hi: 500000,
        above: true,
        symptom: "the consumer group falls more than {thr} messages behind",
        harm: "downstream reports and notifications arrive hours late",
        cause: "a poison message retried forever by one partition's consumer",
        actions: &[
            a(
                "scale_up_consumers_two",
                &["stateless"],
                "add two consumers, never beyond the partition count",
            ),
            a(
                "skip_poison_message",
                &["idempotent_consumer", "dead_letter_topic"],
                "move the failing message to the dead-letter topic and resume",
            ),
        ],
    },
    Kind {
        name: "hpa_at_max",
        prefix: "HA",
        metric: "hpa_at_max_minutes",
        unit: " min",
        lo: 10,
        hi: 30,
        above: true,
        symptom: "the autoscaler sits at its maximum for more than {thr} minutes",
        harm: "any further growth of traffic turns directly into latency and errors",
        cause: "a ceiling sized for last year's peak",
        actions: &[a(
            "raise_hpa_max_two",
            &["quota_headroom", "stateless"],
            "raise the autoscaler ceiling by two replicas, once per incident",
        )],
    },
    Kind {
        name: "dns_resolution_failure",
        prefix: "DN",
        metric: "dns_error_ratio",
        unit: "%",
        lo: 1,
        hi: 5,
        above: true,
        symptom: "more than {thr}% of name lookups from the namespace fail",
        harm: "calls to partners fail before they leave the cluster",
        cause: "a node-local cache that stops refreshing after an upstream timeout",
        actions: &[
            a(
                "restart_dns_cache_pod",
                &[],
                "replace the node-local cache on the affected node",
            ),
            a(
                "switch_to_secondary_resolver",
                &["secondary_resolver_healthy"],
                "point the namespace at the secondary resolver for one hour",
            ),
        ],
    },
    Kind {
        name: "thread_pool_saturation",
        prefix: "TP",
        metric: "busy_threads_percent",
        unit: "%",
        lo: 90,
        hi: 100,
        above: true,
        symptom: "the worker thread pool stays above {thr}% busy",
        harm: "requests queue in front of the pool and time out in bursts",
        cause: "a synchronous call to a slow partner made on the request thread",
        actions: &[
            RESTART_POD,
            a(
                "shed_low_priority_traffic",
                &["shedding_supported"],
                "reject background and prefetch requests until the pool recovers",
            ),
        ],
    },
    Kind {
        name: "cache_hit_drop",
        prefix: "CH",
        metric: "cache_hit_ratio",
        unit: "%",
        lo: 40,
        hi: 70,
        above: false,
        symptom: "the cache hit ratio falls below {thr}%",
        harm: "the database takes several times its usual read load",
        cause: "a key format changed by a release, leaving the old entries unreachable",
        actions: &[
            a(
                "warm_cache_from_snapshot",
                &["snapshot_fresh"],
                "load the hottest keys from the last nightly snapshot",
            ),
            a(
                "restart_cache_replica",
                &["replica_available"],
                "replace one cache replica at a time",
            ),
        ],
    },
    Kind {
        name: "stuck_rollout",
        prefix: "SR",
        metric: "rollout_stalled_minutes",
        unit: " min",
        lo: 15,
        hi: 45,
        above: true,
        symptom: "a rollout makes no progress for more than {thr} minutes",
        harm: "old and new versions serve side by side and sessions bounce between them",
        cause: "a readiness probe that depends on a partner outside our control",
        actions: &[
            a(
                "pause_rollout",
                &[],
                "stop the rollout where it is, keeping the serving replicas",
            ),
            ROLLBACK_RELEASE,
        ],
    },
    Kind {
        name: "upstream_timeout",
        prefix: "UT",
        metric: "upstream_timeout_ratio",
        unit: "%",
        lo: 1,
        hi: 8,
        above: true,
        symptom: "more than {thr}% of calls to the payment partner time out",
        harm: "checkouts fail after the customer has already confirmed",
        cause: "the partner's regional endpoint degrading during their own maintenance",
        actions: &[
            a(
                "open_circuit_breaker",
                &["fallback_available"],
                "send calls to the fallback path for fifteen minutes",
            ),
            RESTART_POD,
        ],
    },
    Kind {
        name: "job_backoff_limit",
        prefix: "JB",
        metric: "failed_job_runs",
        unit: "",
        lo: 3,
        hi: 6,
        above: true,
        symptom: "a scheduled job fails {thr} runs in a row",
        harm: "the reports the finance team reads every morning are missing",
        cause: "an input file that arrives late from a partner",
        actions: &[
            a(
                "rerun_failed_job",
                &["job_idempotent"],
                "run the failed job once more with the same inputs",
            ),
            a(
                "suspend_job_schedule",
                &[],
                "hold the schedule until the on-call has looked at the failures",
            ),
        ],
    },
];

const SERVICES: &[(&str, &str)] = &[
    (
        "appointments-api",
        "serves every booking, reschedule and cancellation made by customers and front-desk staff",
    ),
    (
        "billing-api",
        "issues every invoice and records every card payment",
    ),
    (
        "checkout",
        "turns carts into orders for the web shop and the mobile apps",
    ),
    (
        "search-indexer",
        "keeps the product search index within a minute of the catalogue",
    ),
    (
        "notifications-worker",
        "sends the reminder e-mails, text messages and push notifications",
    ),
    (
        "payments-gateway",
        "authorises card payments against the acquiring bank",
    ),
    (
        "catalog-api",
        "serves product data to the shop, the apps and the partner feed",
    ),
    (
        "auth-gateway",
        "issues and refreshes the session tokens of every signed-in user",
    ),
    (
        "reporting-etl",
        "loads the nightly finance and operations reports",
    ),
    (
        "media-transcoder",
        "converts uploaded videos into the streaming renditions",
    ),
    (
        "inventory-sync",
        "mirrors warehouse stock levels into the shop every few seconds",
    ),
    (
        "ledger-writer",
        "appends every money movement to the accounting ledger",
    ),
    (
        "profile-api",
        "serves customer profiles and preferences to the other services",
    ),
    (
        "pricing-engine",
        "computes the prices and discounts shown at checkout",
    ),
    (
        "recommendations-api",
        "ranks the products shown on the home page and in newsletters",
    ),
    (
        "shipping-tracker",
        "collects carrier events and shows parcel status to customers",
    ),
    (
        "telemetry-ingest",
        "receives telemetry from the field fleet of delivery vans",
    ),
    ("document-renderer", "renders contracts and receipts to PDF"),
    (
        "support-chat",
        "relays support chat between customers and agents",
    ),
    (
        "loyalty-points",
        "credits and redeems loyalty points on every order",
    ),
];

const NAMESPACES: &[&str] = &[
    "payments",
    "core",
    "shop",
    "platform-apps",
    "customer",
    "ops",
];
const PEAKS: &[&str] = &[
    "07:00–11:00 UTC booking",
    "evening shopping",
    "month-end billing",
    "Monday morning",
    "lunchtime ordering",
];
const URGENCY: &[&str] = &["urgent", "high urgency", "P1", "P2"];

const WHY_EXTRA: &[&str] = &[
    "One such episode during the {peak} peak costs roughly {m1}–{m2} minutes of the {budget}-minute monthly error budget of the availability SLO.",
    "The usual cause is {cause}; the fix for the cause ships through the normal release process, while this spec covers the mitigation only.",
    "It recurs roughly {freq} since release {ver}, and each time the on-call spends twenty minutes confirming the same signature before acting.",
    "The mitigation is safe and reversible, so we want it to run without waiting for a human to wake up at {hour}:00 UTC.",
    "Support sees the impact first: tickets about {svc} rise within ten minutes of the alert, most of them from customers who retried and were charged or notified twice.",
    "The owning team ({team}) reviewed the last {k} occurrences; every one was resolved by the same narrow action and none needed a second one.",
];

const WHAT_ITEMS: &[&str] = &[
    "Chooses the narrowest pre-approved action that removes the symptom, one target at a time.",
    "Runs only after the readiness gate admits the incident and the dry-run of the chosen action passes.",
    "Records every step in the audit trace under the incident id, from the webhook to validation.",
    "Stops and escalates when the validation window shows the symptom again within {recur} minutes.",
    "Leaves the root cause to the owning team ({team}); the follow-up defect is linked from the incident record.",
    "Reports the outcome in the incident channel with the metric before and after, and the trace id.",
];

const CONSTRAINTS: &[&str] = &[
    "At most {k1} automated remediation per {radius} per {h} minutes, and {k2} per deployment per 24 hours.",
    "At least {min_ready} of {replicas} replicas stay Ready throughout.",
    "No stateful workload is touched without a backup verified within the last 24 hours.",
    "The first run of each action needs approval from the primary on-call of {team}.",
    "Emergency stop: when `remediation_paused` is set for the namespace, nothing executes.",
    "No action runs during a release freeze or while a release of {svc} is rolling out.",
    "Traces and notes hold references only; personal data never leaves the cluster.",
    "The database `{db}` and its replicas are never a target, whatever the readiness score.",
];

/// Tools named without an invocation: the lint must stay silent on every one.
const DISTRACTORS: &[&str] = &[
    "The on-call has kubectl access to `{ns}`, but nothing in this spec depends on it.",
    "Releases of {svc} are deployed with Helm; the chart is outside this spec.",
    "Terraform owns the node pools and the database instances; neither is in scope here.",
    "The Docker restart policy of the sidecar is unchanged by any action here.",
    "A helm upgrade that times out is a release problem, not an incident of this type.",
    "Access to `{db}` through psql is reserved for the database on-call.",
    "`restart_pod` is an abstract action; how the executor performs it is defined in the executor's own repository.",
    "The AWS console and the Grafana dashboards are read-only for the automation.",
];

#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// A fenced block with this info string.
    Fenced(&'static str),
    /// An indented (4-space) code block.
    Indented,
    /// A sentence holding the command in inline code (a bullet under Constraints).
    Inline,
    /// A sentence holding the command as bare prose (in What).
    Prose,
    /// The description of a pre-approved action.
    ActionDesc,
    /// A table cell under Constraints.
    Table,
}

/// Concrete commands planted in specs. Each is one finding.
const COMMANDS: &[(Place, &str)] = &[
    (
        Place::Fenced("bash"),
        "kubectl -n {ns} rollout restart deployment/{svc}",
    ),
    (
        Place::ActionDesc,
        "the pod is replaced via `kubectl delete pod {pod} -n {ns}`",
    ),
    (
        Place::Prose,
        "If {metric} stays out of bounds after the action, run helm rollback {svc} {rev} --namespace {ns} and page {team}.",
    ),
    (Place::Fenced("sh"), "sudo systemctl restart {svc}.service"),
    (
        Place::Fenced("bash"),
        "KUBECONFIG=/etc/kube/{ns}.conf kubectl scale deployment/{svc} --replicas={replicas1}",
    ),
    (
        Place::Fenced("bash"),
        "terraform apply \\\n  -target=module.{svc_u} \\\n  -auto-approve",
    ),
    (
        Place::Inline,
        "Idle sessions are cleared with `psql -h {db} -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle'\"` before anything else.",
    ),
    (
        Place::Prose,
        "Flush the response cache with curl -X POST https://{svc}.internal/admin/cache/flush before the pod is replaced.",
    ),
    (
        Place::Inline,
        "The executor calls `DELETE /api/v1/namespaces/{ns}/pods/{pod}` for the affected pod only.",
    ),
    (
        Place::Indented,
        "/usr/local/bin/kubectl -n {ns} delete pod {pod}",
    ),
    (
        Place::Fenced(""),
        "k -n {ns} drain {node} --ignore-daemonsets --delete-emptydir-data",
    ),
    (
        Place::Fenced("console"),
        "$ redis-cli -h {svc}-cache FLUSHDB",
    ),
    (
        Place::Inline,
        "A fresh deployment is forced with `aws ecs update-service --cluster {ns} --service {svc} --force-new-deployment`.",
    ),
    (Place::Table, "`docker restart {svc}`"),
    (
        Place::Fenced("bash"),
        "gcloud sql instances restart {svc}-db --quiet",
    ),
    (Place::Fenced("sh"), "kill -9 $(pgrep -f {svc})"),
    (Place::Fenced("bash"), "rm -rf /var/lib/{svc}/cache/*"),
    (
        Place::Prose,
        "To resynchronise, run argocd app sync {svc} --prune and wait until it reports Healthy.",
    ),
    (
        Place::Inline,
        "Consumers are scaled with `kubectl scale deploy/{svc} --replicas {replicas1} -n {ns}` when the backlog grows.",
    ),
    (
        Place::Prose,
        "As a last resort the on-call may run systemctl restart {svc} on the host.",
    ),
    (
        Place::Fenced("bash"),
        "helm upgrade {svc} ./charts/{svc} -n {ns} --set resources.limits.memory=2Gi",
    ),
    // Cyrillic е and с: pasted from a chat.
    (
        Place::Inline,
        "Copied from the chat of the last incident: `kub\u{0435}\u{0441}tl delete pod {pod} -n {ns}`.",
    ),
    // A zero-width space inside the tool name.
    (
        Place::Inline,
        "The previous release comes back with `kube\u{200B}ctl rollout undo deployment/{svc} -n {ns}`.",
    ),
    (
        Place::ActionDesc,
        "the executor runs `helm upgrade {svc} ./chart --reuse-values --set replicaCount={replicas1}`",
    ),
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Blocker {
    VerificationLow,
    SpecLow,
    ProcessLow,
    SecurityZero,
    Coverage,
    EvidenceMissing,
    RadiusWide,
    RadiusMissing,
    RollbackMissing,
    RollbackPathMissing,
    StatefulNoBackup,
}

const BLOCKERS: &[Blocker] = &[
    Blocker::VerificationLow,
    Blocker::SpecLow,
    Blocker::ProcessLow,
    Blocker::SecurityZero,
    Blocker::Coverage,
    Blocker::EvidenceMissing,
    Blocker::RadiusWide,
    Blocker::RadiusMissing,
    Blocker::RollbackMissing,
    Blocker::RollbackPathMissing,
    Blocker::StatefulNoBackup,
];

impl Blocker {
    fn id(self) -> &'static str {
        match self {
            Blocker::VerificationLow => "verification_too_low",
            Blocker::SpecLow => "spec_too_low",
            Blocker::ProcessLow => "process_too_low",
            Blocker::SecurityZero => "security_zero",
            Blocker::Coverage => "audit_trace_incomplete",
            Blocker::EvidenceMissing => "evidence_missing",
            Blocker::RadiusWide | Blocker::RadiusMissing => "blast_radius_undefined",
            Blocker::RollbackMissing | Blocker::RollbackPathMissing => "rollback_missing",
            Blocker::StatefulNoBackup => "stateful_without_backup",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Templates: `{key}` is replaced from the incident's variables.

struct Vars(Vec<(&'static str, String)>);

impl Vars {
    fn set(&mut self, k: &'static str, v: impl Into<String>) {
        let v = v.into();
        match self.0.iter_mut().find(|(key, _)| *key == k) {
            Some(slot) => slot.1 = v,
            None => self.0.push((k, v)),
        }
    }
    fn get(&self, k: &str) -> &str {
        match self.0.iter().find(|(key, _)| *key == k) {
            Some((_, v)) => v,
            None => panic!("template variable `{k}` is not set"),
        }
    }
    fn fill(&self, t: &str) -> String {
        let mut out = String::with_capacity(t.len() + 32);
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close)
                    if after[..close]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && close > 0 =>
                {
                    out.push_str(self.get(&after[..close]));
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// One incident

struct Incident {
    dir: String,
    files: [(&'static str, String); 5],
    expected: &'static str,
    commands: usize,
    blocker: Option<Blocker>,
    semi: bool,
    /// The link left out of the trace log, if any.
    trace_gap: Option<&'static str>,
    /// The incident's records of the trace log.
    trace: String,
}

const CATS: [&str; 5] = [
    "spec",
    "implementation",
    "verification",
    "process",
    "security",
];

/// Five scores, each 3..=5, summing to `total` (15..=25).
fn scores_for(rng: &mut Rng, total: u32) -> [u32; 5] {
    let mut s = [5u32; 5];
    let mut deficit = 25 - total;
    while deficit > 0 {
        let i = rng.below(5);
        if s[i] > 3 {
            s[i] -= 1;
            deficit -= 1;
        }
    }
    s
}

/// Appends `text` as a paragraph wrapped at 96 columns, then a blank line.
fn para(out: &mut String, text: &str) {
    let mut col = 0;
    for word in text.split(' ') {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > 96 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out.push_str("\n\n");
}

fn heading_style(rng: &mut Rng) -> [&'static str; 5] {
    match rng.below(20) {
        0..=9 => [
            "## Why",
            "## What",
            "## Constraints",
            "## Acceptance",
            "## Pre-approved actions",
        ],
        10..=13 => [
            "## 1. Why",
            "## 2. What",
            "## 3. Constraints",
            "## 4. Acceptance",
            "## 5. Pre-approved actions",
        ],
        14..=16 => [
            "## Why — business impact",
            "## What — desired outcome",
            "## Constraints",
            "## Acceptance: Given / When / Then",
            "## Pre-approved actions",
        ],
        17..=18 => [
            "### WHY",
            "### WHAT",
            "### CONSTRAINTS",
            "### ACCEPTANCE",
            "### PRE-APPROVED ACTIONS",
        ],
        _ => [
            "## Зачем",
            "## Что",
            "## Ограничения",
            "## Критерии успеха",
            "## Предварительно одобренные действия",
        ],
    }
}

fn incident(seed: u64, index: usize) -> Incident {
    let mut rng = Rng::new(seed, index as u64 + 1);
    let kind = rng.pick(KINDS);
    let &(svc, role) = rng.pick(SERVICES);
    let dir = format!("specs/{}_{index:05}", kind.name);
    let ns = if rng.chance(0.6) {
        svc.to_string()
    } else {
        rng.pick(NAMESPACES).to_string()
    };
    let team = format!("{}-sre", svc.split('-').next().unwrap_or(svc));
    let (month, day) = (rng.range(1, 12), rng.range(1, 28));
    let id = format!("{}-2026-{month:02}-{day:02}-{index:05}", kind.prefix);
    let thr = rng.range(kind.lo, kind.hi);
    let obs = if kind.above {
        thr + (thr / 10).max(1) * rng.range(0, 3) + 1
    } else {
        thr.saturating_sub((thr / 5).max(1) * rng.range(0, 3) + 1)
    };
    let replicas = rng.range(3, 12);
    let pod = format!("{svc}-{}-{}", rng.hex(9), rng.alnum(5));

    // What is planted.
    let commands = if rng.chance(P_COMMAND) {
        if rng.chance(P_TWO_COMMANDS) { 2 } else { 1 }
    } else {
        0
    };
    let blocker = rng.chance(P_BLOCKER).then(|| *rng.pick(BLOCKERS));
    let semi = rng.chance(P_SEMI);
    let high_risk = !semi && rng.chance(0.1);
    let stateful_ok = !semi && blocker.is_none() && rng.chance(0.05);
    let stateful = stateful_ok || blocker == Some(Blocker::StatefulNoBackup);
    let radius = match rng.below(20) {
        0..=11 => "pod",
        12..=18 => "deployment",
        _ => "namespace",
    };
    // High risk allows nothing wider than a pod without a verified dry-run.
    let dry_run = radius == "namespace" || high_risk || rng.chance(0.8);

    let mut v = Vars(Vec::with_capacity(40));
    v.set("svc", svc);
    v.set("svc_u", svc.replace('-', "_"));
    v.set("ns", ns.clone());
    v.set("team", team.clone());
    v.set("id", id.clone());
    v.set("type", kind.name);
    v.set("metric", kind.metric);
    v.set("unit", kind.unit);
    v.set("thr", thr.to_string());
    v.set("obs", obs.to_string());
    v.set("pod", pod.clone());
    v.set("db", format!("{svc}-db"));
    v.set(
        "node",
        format!("gke-prod-pool-{}-{}", rng.hex(8), rng.alnum(4)),
    );
    v.set("replicas", replicas.to_string());
    v.set("replicas1", (replicas + 1).to_string());
    v.set("min_ready", (replicas - 1).to_string());
    v.set("radius", radius);
    v.set("window", rng.pick(&["5", "10", "15"]).to_string());
    v.set("p95x", (rng.range(4, 12) * 100).to_string());
    v.set("peak", *rng.pick(PEAKS));
    let m1 = rng.range(3, 9);
    v.set("m1", m1.to_string());
    v.set("m2", (m1 + rng.range(2, 6)).to_string());
    v.set("budget", rng.pick(&["43", "22", "87"]).to_string());
    v.set(
        "freq",
        *rng.pick(&["weekly", "twice a month", "every few days"]),
    );
    v.set(
        "ver",
        format!(
            "{}.{}.{}",
            rng.range(1, 4),
            rng.range(0, 30),
            rng.range(0, 9)
        ),
    );
    v.set("hour", format!("{:02}", rng.range(0, 5)));
    v.set("k", rng.range(3, 12).to_string());
    v.set("k1", "1");
    v.set("k2", rng.range(2, 4).to_string());
    v.set("h", rng.pick(&["30", "60", "120"]).to_string());
    v.set("recur", rng.pick(&["30", "60"]).to_string());
    v.set("rev", rng.range(12, 240).to_string());
    v.set("urgency", *rng.pick(URGENCY));
    v.set(
        "date",
        format!(
            "2026-{month:02}-{day:02} {:02}:{:02}",
            rng.range(0, 23),
            rng.range(0, 59)
        ),
    );
    let symptom = v.fill(kind.symptom);
    v.set("cause", kind.cause);

    // Actions: one or all of the kind's, in order.
    let n_actions = if kind.actions.len() > 1 && rng.chance(0.6) {
        kind.actions.len()
    } else {
        1
    };
    let actions: Vec<&ActionDef> = kind.actions.iter().take(n_actions).collect();
    v.set("a1", actions[0].name);

    // The commands to plant: distinct, and at most one in an action's description.
    let picks = loop {
        let picks = rng.distinct(COMMANDS.len(), commands);
        if picks
            .iter()
            .filter(|&&i| COMMANDS[i].0 == Place::ActionDesc)
            .count()
            <= 1
        {
            break picks;
        }
    };
    let planted: Vec<(Place, String)> = picks
        .into_iter()
        .map(|i| (COMMANDS[i].0, v.fill(COMMANDS[i].1)))
        .collect();
    let action_desc_cmd = planted
        .iter()
        .find(|(p, _)| *p == Place::ActionDesc)
        .map(|(_, c)| c.clone());

    // ---- specify.md
    let h = heading_style(&mut rng);
    let mut s = String::with_capacity(3072);
    s.push_str("---\n");
    let _ = writeln!(s, "incident_type: {}", kind.name);
    let _ = writeln!(s, "service: {svc}");
    let _ = writeln!(s, "namespace: {ns}");
    if blocker != Some(Blocker::RadiusMissing) {
        let _ = writeln!(s, "blast_radius: {radius}");
    }
    let _ = writeln!(s, "stateful: {stateful}");
    let _ = writeln!(s, "owner: {team}");
    if rng.chance(0.5) {
        let _ = writeln!(s, "incident_id_prefix: {}", kind.prefix);
    }
    s.push_str("---\n");
    let _ = writeln!(s, "# {} — {svc}\n", kind.name);

    // Why
    let _ = writeln!(s, "{}\n", h[0]);
    let state = if stateful {
        format!(
            "keep a local write-ahead log on a persistent volume, so every action here treats them as stateful and needs a verified backup of `{}`",
            v.get("db")
        )
    } else {
        format!(
            "hold no durable state: what they write lives in `{}`, a separate workload this spec never touches",
            v.get("db")
        )
    };
    para(&mut s, &format!("{svc} {role}. Its pods {state}."));
    let harm = v.fill(kind.harm);
    para(
        &mut s,
        &format!(
            "When {symptom}, {harm}. Left alone, the condition does not clear by itself: the last {} occurrences all needed an action.",
            v.get("k")
        ),
    );
    let mut why = format!(
        "The incident that opened this spec, {id}: Grafana reported `{}` {obs}{} over a {}-minute window and PagerDuty confirmed it as {} for {svc}.",
        kind.metric,
        kind.unit,
        v.get("window"),
        v.get("urgency")
    );
    let k = rng.range(1, 3) as usize;
    for i in rng.distinct(WHY_EXTRA.len(), k) {
        why.push(' ');
        why.push_str(&v.fill(WHY_EXTRA[i]));
    }
    para(&mut s, &why);
    if rng.chance(0.5) {
        let _ = writeln!(
            s,
            "SLOs at stake (30-day rolling window):\n\n- availability ≥ {}%;\n- p95 latency < {} ms.\n",
            rng.pick(&["99.9", "99.5", "99.95"]),
            rng.range(2, 6) * 100
        );
    }
    let distractor = rng.chance(P_DISTRACTOR).then(|| {
        let d = *rng.pick(DISTRACTORS);
        v.fill(d)
    });

    // What
    let _ = writeln!(s, "{}\n", h[1]);
    let _ = writeln!(
        s,
        "A pre-approved, {radius}-scoped remediation for `{}` on {svc} that:\n",
        kind.name
    );
    let _ = writeln!(
        s,
        "1. Acts only on a normalized incident event for {svc} in namespace `{ns}` whose metric context shows `{}` {} {thr}{} over at least {} minutes.",
        kind.metric,
        if kind.above { "≥" } else { "≤" },
        kind.unit,
        v.get("window")
    );
    let k = rng.range(2, 4) as usize;
    for (n, i) in rng.distinct(WHAT_ITEMS.len(), k).into_iter().enumerate() {
        let _ = writeln!(s, "{}. {}", n + 2, v.fill(WHAT_ITEMS[i]));
    }
    s.push('\n');
    for (p, c) in &planted {
        if *p == Place::Prose {
            let _ = writeln!(s, "{c}\n");
        }
    }

    // Constraints
    let _ = writeln!(s, "{}\n", h[2]);
    let _ = writeln!(
        s,
        "- Blast radius is one {radius}; nothing wider is ever touched."
    );
    let k = rng.range(3, 6) as usize;
    for i in rng.distinct(CONSTRAINTS.len(), k) {
        let _ = writeln!(s, "- {}", v.fill(CONSTRAINTS[i]));
    }
    for (p, c) in &planted {
        if *p == Place::Inline {
            let _ = writeln!(s, "- {c}");
        }
    }
    if let Some(d) = &distractor {
        let _ = writeln!(s, "- {d}");
    }
    s.push('\n');
    for (p, c) in &planted {
        match p {
            Place::Fenced(lang) => {
                let _ = writeln!(
                    s,
                    "The manual fallback, for reference:\n\n```{lang}\n{c}\n```\n"
                );
            }
            Place::Indented => {
                let _ = writeln!(s, "What the on-call ran last time:\n\n    {c}\n");
            }
            Place::Table => {
                let _ = writeln!(
                    s,
                    "| symptom | first response |\n|---|---|\n| `{}` out of bounds | {c} |\n",
                    kind.metric
                );
            }
            _ => {}
        }
    }

    // Acceptance
    let _ = writeln!(s, "{}\n", h[3]);
    let _ = writeln!(
        s,
        "- Given `{}` at {obs}{} over {} minutes on pod `{pod}`\n- When the readiness gate passes and the dry-run of `{}` passes\n- Then the symptom clears within {} minutes and `{}` stays {} {thr}{} for the next {} minutes\n",
        kind.metric,
        kind.unit,
        v.get("window"),
        actions[0].name,
        rng.range(5, 15),
        kind.metric,
        if kind.above { "below" } else { "above" },
        kind.unit,
        rng.pick(&["15", "30", "60"])
    );
    if rng.chance(0.6) {
        s.push_str("- Given the same incident\n- When `delete_namespace` is requested\n- Then the dry-run blocks it as not pre-approved\n\n");
    }
    if rng.chance(0.3) {
        let _ = writeln!(
            s,
            "- Given `remediation_paused` set on `{ns}`\n- When any action is requested\n- Then nothing executes and the on-call is paged with the incident id\n"
        );
    }

    // Pre-approved actions
    let _ = writeln!(s, "{}\n", h[4]);
    let form = if action_desc_cmd.is_some() {
        1
    } else {
        rng.below(3)
    };
    match form {
        0 => {
            for act in &actions {
                if act.requires.is_empty() {
                    let _ = writeln!(s, "- {}", act.name);
                } else {
                    let _ = writeln!(s, "- {} (requires: {})", act.name, act.requires.join(", "));
                }
            }
        }
        1 => {
            for (n, act) in actions.iter().enumerate() {
                let desc = match (&action_desc_cmd, n) {
                    (Some(c), 0) => c.as_str(),
                    _ => act.desc,
                };
                if act.requires.is_empty() {
                    let _ = writeln!(s, "- `{}` — {desc}", act.name);
                } else {
                    let _ = writeln!(
                        s,
                        "- `{}` (requires: {}) — {desc}",
                        act.name,
                        act.requires.join(", ")
                    );
                }
            }
        }
        _ => {
            s.push_str("```yaml\nactions:\n");
            for act in &actions {
                let _ = writeln!(s, "  - name: {}", act.name);
                if !act.requires.is_empty() {
                    let _ = writeln!(s, "    requires: [{}]", act.requires.join(", "));
                }
            }
            s.push_str("```\n");
        }
    }
    let specify = s;

    // ---- scores and readiness facts
    let total = if semi {
        rng.range(20, 22)
    } else if stateful_ok || high_risk {
        rng.range(24, 25)
    } else {
        rng.range(23, 25)
    };
    let mut sc = scores_for(&mut rng, total);
    let mut coverage = "1.0".to_string();
    let mut radius_r = Some(radius);
    let mut dry_run_r = dry_run;
    let mut backup = stateful_ok;
    let path = |f: &str| format!("{dir}/{f}");
    let mut evidence: Vec<(&str, Vec<String>)> = vec![
        ("spec", vec![path("specify.md")]),
        ("implementation", vec![path("tasks.md")]),
        ("verification", vec![path("validation.md")]),
        ("process", vec![path("plan.md")]),
        (
            "security",
            if rng.chance(0.5) {
                vec![path("plan.md"), path("validation.md")]
            } else {
                vec![path("plan.md")]
            },
        ),
    ];
    let rollback_text = rng.chance(0.5);
    let mut rollback: Option<String> = Some(if rollback_text {
        format!(
            "\"Return {svc} to the state recorded before the action; the on-call of {team} owns every step after the emergency stop.\""
        )
    } else {
        path("plan.md")
    });
    match blocker {
        Some(Blocker::VerificationLow) => sc[2] = rng.range(1, 2),
        Some(Blocker::SpecLow) => sc[0] = rng.range(1, 2),
        Some(Blocker::ProcessLow) => sc[3] = rng.range(1, 2),
        Some(Blocker::SecurityZero) => sc[4] = 0,
        Some(Blocker::Coverage) => {
            coverage = rng
                .pick(&["0.5", "0.67", "0.83", "0.9", "0.95"])
                .to_string()
        }
        Some(Blocker::EvidenceMissing) => {
            let i = rng.range(1, 3) as usize;
            let missing = *rng.pick(&["runbook.md", "dry_run_log.md", "chaos_test.md"]);
            evidence[i].1 = vec![path(missing)];
        }
        Some(Blocker::RadiusWide) => {
            radius_r = Some(if rng.chance(0.5) {
                "cluster"
            } else {
                "namespace"
            });
            dry_run_r = false;
        }
        Some(Blocker::RadiusMissing) => radius_r = None,
        Some(Blocker::RollbackMissing) => rollback = None,
        Some(Blocker::RollbackPathMissing) => rollback = Some(path("rollback.md")),
        Some(Blocker::StatefulNoBackup) => backup = false,
        None => {}
    }
    let expected = if commands > 0 || blocker.is_some() {
        "block"
    } else if semi {
        "semi_manual"
    } else {
        "auto"
    };
    // The lesson's shape (facts under `checks:`) for some documents whose facts it can hold.
    let lesson_shape = !matches!(
        blocker,
        Some(Blocker::RadiusWide) | Some(Blocker::RollbackPathMissing)
    ) && rng.chance(0.1);

    // ---- readiness.md
    let mut r = String::with_capacity(2048);
    r.push_str("---\n");
    let _ = writeln!(r, "incident_id: {id}");
    if rng.chance(0.8) {
        let _ = writeln!(r, "spec: {}", path("specify.md"));
    }
    if high_risk {
        r.push_str("profile: high_risk\n");
    } else if rng.chance(0.5) {
        r.push_str("profile: standard\n");
    }
    if rng.chance(0.6) {
        let _ = writeln!(
            r,
            "scores: {{spec: {}, implementation: {}, verification: {}, process: {}, security: {}}}",
            sc[0], sc[1], sc[2], sc[3], sc[4]
        );
    } else {
        r.push_str("scores:\n");
        for (c, v) in CATS.iter().zip(sc) {
            let _ = writeln!(r, "  {c}: {v}");
        }
    }
    r.push_str("evidence:\n");
    for (c, paths) in &evidence {
        if paths.len() == 1 {
            let _ = writeln!(r, "  {c}: {}", paths[0]);
        } else {
            let _ = writeln!(r, "  {c}: [{}]", paths.join(", "));
        }
    }
    let _ = writeln!(r, "stateful: {stateful}");
    if lesson_shape {
        let _ = writeln!(r, "pre_approved_action: {}", actions[0].name);
        r.push_str("checks:\n");
        let _ = writeln!(r, "  audit_trace_coverage: {coverage}");
        let _ = writeln!(r, "  backup_verified: {backup}");
        let _ = writeln!(r, "  rollback_condition_present: {}", rollback.is_some());
        let _ = writeln!(r, "  blast_radius_known: {}", radius_r.is_some());
        let _ = writeln!(r, "  human_review_for_first_run: true");
        if let Some(rad) = radius_r {
            let _ = writeln!(r, "radius_of_impact: {rad}");
        }
        let _ = writeln!(r, "dry_run_verified: {dry_run_r}");
        let _ = writeln!(
            r,
            "notes: \"first automated run of {} needs the primary on-call's approval\"",
            actions[0].name
        );
    } else {
        let _ = writeln!(r, "audit_trace_coverage: {coverage}");
        let _ = writeln!(r, "backup_verified: {backup}");
        if let Some(rad) = radius_r {
            let _ = writeln!(r, "radius_of_impact: {rad}");
        }
        let _ = writeln!(r, "dry_run_verified: {dry_run_r}");
        if let Some(rb) = &rollback {
            let _ = writeln!(r, "rollback: {rb}");
        }
    }
    r.push_str("---\n");
    let _ = writeln!(r, "# Readiness package — {id} ({}, {svc})\n", kind.name);
    let _ = writeln!(
        r,
        "Pod `{pod}`, namespace `{ns}`. Grafana: `{}` {obs}{} over a {}-minute window; PagerDuty: incident `{id}`, {}.\n",
        kind.metric,
        kind.unit,
        v.get("window"),
        v.get("urgency")
    );
    r.push_str("| category | score | artifact-evidence |\n|---|---|---|\n");
    for (i, c) in CATS.iter().enumerate() {
        let _ = writeln!(r, "| {c} | {} | {} |", sc[i], evidence[i].1.join(", "));
    }
    let claimed: u32 = sc.iter().sum();
    let _ = writeln!(r, "| **total** | **{claimed}/25** | |\n");
    let _ = writeln!(
        r,
        "Expected gate result: `sddgate readiness {}` exits {}.",
        path("readiness.md"),
        match expected {
            "auto" => 0,
            "semi_manual" => 3,
            _ => 1,
        }
    );
    let readiness = r;

    // ---- plan.md
    let mut p = String::with_capacity(1536);
    let _ = writeln!(p, "# Plan — {} / {svc}\n", kind.name);
    let _ = writeln!(
        p,
        "Incident: `{id}` · Spec: [`specify.md`](specify.md) · Owner: {team}\n"
    );
    let _ = writeln!(p, "## Situation at planning time ({} UTC)\n", v.get("date"));
    p.push_str("| signal | value | source |\n|---|---|---|\n");
    let _ = writeln!(
        p,
        "| `{}`, pod `{pod}` | {obs}{} over {} min | Grafana alert `{}` |",
        kind.metric,
        kind.unit,
        v.get("window"),
        kind.name
    );
    let _ = writeln!(
        p,
        "| replicas Ready / desired | {} / {replicas} | deployment status |",
        replicas - rng.range(0, 1)
    );
    let _ = writeln!(
        p,
        "| release in progress | none; last release {} | release log |\n",
        v.get("ver")
    );
    let _ = writeln!(p, "## Strategy\n");
    let _ = writeln!(
        p,
        "Chosen: `{}` first{}. It is the narrowest action that removes the symptom, and the disruption budget keeps the service within its SLO while it runs.\n",
        actions[0].name,
        if actions.len() > 1 {
            format!(", `{}` stays behind a human approval", actions[1].name)
        } else {
            String::new()
        },
    );
    let _ = writeln!(p, "## Rollback\n");
    let _ = writeln!(
        p,
        "Stop the automation (set `remediation_paused` on `{ns}`), page the secondary on-call of {team}, and return {svc} to the state recorded before the action. The rollback is complete when the error ratio and p95 latency are back under their SLO for 10 consecutive minutes.\n"
    );
    p.push_str("## Sequencing\n\n1. readiness gate (exit 0, or 3 and an approval)\n2. dry-run of the chosen action\n3. first-run approval\n4. execute, emergency-stop flag read immediately before\n5. validation windows, see `validation.md`\n");

    // ---- tasks.md
    let mut t = String::with_capacity(1024);
    let _ = writeln!(t, "# Tasks — {} / {svc}\n", kind.name);
    let _ = writeln!(
        t,
        "- [x] T1 normalize the Grafana and PagerDuty webhooks into one event for `{id}`"
    );
    let _ = writeln!(
        t,
        "- [x] T2 readiness gate on `readiness.md` — done when it exits 0"
    );
    let _ = writeln!(
        t,
        "- [x] T3 dry-run of `{}` — done when it prints PASS and nothing executed",
        actions[0].name
    );
    let _ = writeln!(
        t,
        "- [x] T4 read `remediation_paused` on `{ns}` immediately before executing"
    );
    let _ = writeln!(
        t,
        "- [x] T5 execute `{}` on pod `{pod}` — idempotent: a second run finds nothing to do",
        actions[0].name
    );
    let _ = writeln!(
        t,
        "- [ ] T6 record the outcome in `validation.md` and append `validate` to the trace"
    );
    if actions.len() > 1 {
        let _ = writeln!(
            t,
            "- [ ] T7 dry-run evidence for `{}` (still semi-manual)",
            actions[1].name
        );
    }

    // ---- validation.md
    let mut w = String::with_capacity(1536);
    let _ = writeln!(w, "# Validation — {} / {svc}\n", kind.name);
    let _ = writeln!(
        w,
        "Incident: `{id}` · Spec: [`specify.md`](specify.md) · Tasks: [`tasks.md`](tasks.md)\n"
    );
    w.push_str("| # | Given | When | Then | observed | result |\n|---|---|---|---|---|---|\n");
    let _ = writeln!(
        w,
        "| V1 | the webhooks of `{id}` | normalized | one event, pod `{pod}` | matches | pass |"
    );
    let _ = writeln!(
        w,
        "| V2 | `readiness.md` | the gate evaluates it | exit 0 | exit 0 | pass |"
    );
    let _ = writeln!(
        w,
        "| V3 | readiness passed | dry-run of `{}` | PASS, nothing executed | PASS | pass |",
        actions[0].name
    );
    let _ = writeln!(
        w,
        "| V4 | the action ran | window 1 (0–15 min) | `{}` back within bounds | {} | pass |\n",
        kind.metric,
        if kind.above {
            "below threshold"
        } else {
            "above threshold"
        }
    );
    w.push_str("## Commands actually executed\n\n| time | command | exit |\n|---|---|---|\n");
    let _ = writeln!(
        w,
        "| 09:39:10 | `sddgate readiness {}` | 0 |",
        path("readiness.md")
    );
    let _ = writeln!(
        w,
        "| 09:39:22 | `kubectl -n {ns} get pods -l app.kubernetes.io/name={svc} -o wide` | 0 |"
    );
    let _ = writeln!(
        w,
        "| 09:39:40 | `sddgate dry-run --spec {} --action {}` | 0 |",
        path("specify.md"),
        actions[0].name
    );
    let _ = writeln!(
        w,
        "| 09:47:33 | `sddgate trace --incident {id}` | 0 |\n\nAll checks pass."
    );

    // The trace log, drawn last so that every document above is the same with or without it.
    let trace_gap = rng.chance(0.03).then(|| STEPS[rng.below(STEPS.len())]);
    let expected = if trace_gap.is_some() {
        "block"
    } else {
        expected
    };
    let mut trace = String::with_capacity(900);
    for (k, step) in STEPS.iter().enumerate() {
        if trace_gap == Some(*step) {
            continue;
        }
        let reference = match *step {
            "webhook_received" => format!("grafana:{}", rng.hex(16)),
            "incident_event_normalized" => format!("event:{id}"),
            "specify" => path("specify.md"),
            "spec_diff_created" => path("plan.md"),
            "commit" => format!("commit:{} (Incident-Id: {id})", rng.hex(12)),
            _ => path("validation.md"),
        };
        let _ = writeln!(
            trace,
            r#"{{"ts":"2026-{month:02}-{day:02}T09:{:02}:{:02}Z","incident_id":"{id}","step":"{step}","ref":"{reference}"}}"#,
            14 + 7 * k,
            rng.below(60)
        );
    }

    Incident {
        dir,
        files: [
            ("specify.md", specify),
            ("plan.md", p),
            ("tasks.md", t),
            ("validation.md", w),
            ("readiness.md", readiness),
        ],
        expected,
        commands,
        blocker,
        semi,
        trace_gap,
        trace,
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Totals {
    files: usize,
    bytes: u64,
    command_specs: usize,
    commands: usize,
    blockers: usize,
    semi: usize,
    trace_gaps: usize,
    auto: usize,
    semi_manual: usize,
    block: usize,
    expected: Vec<(usize, String)>,
    /// Each incident's trace records, by index.
    trace: Vec<(usize, String)>,
}

fn write_range(
    root: &Path,
    seed: u64,
    indices: impl Iterator<Item = usize>,
) -> std::io::Result<Totals> {
    let mut t = Totals::default();
    for i in indices {
        let inc = incident(seed, i);
        let d = root.join(&inc.dir);
        std::fs::create_dir_all(&d)?;
        for (name, text) in &inc.files {
            std::fs::write(d.join(name), text)?;
            t.files += 1;
            t.bytes += text.len() as u64;
        }
        t.commands += inc.commands;
        t.command_specs += usize::from(inc.commands > 0);
        t.blockers += usize::from(inc.blocker.is_some());
        t.semi += usize::from(inc.semi);
        t.trace_gaps += usize::from(inc.trace_gap.is_some());
        match inc.expected {
            "auto" => t.auto += 1,
            "semi_manual" => t.semi_manual += 1,
            _ => t.block += 1,
        }
        t.expected.push((
            i,
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                inc.dir,
                inc.expected,
                inc.commands,
                inc.blocker.map_or("-", Blocker::id),
                inc.semi,
                inc.trace_gap.unwrap_or("-"),
            ),
        ));
        t.trace.push((i, inc.trace));
    }
    Ok(t)
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_corpus N DIR [--seed S]   (N incidents, 1..=99999; DIR empty, missing or a previous corpus)"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut pos = Vec::new();
    let mut seed: u64 = 1;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--seed" {
            match it.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => return usage(),
            }
        } else if let Some(s) = arg.strip_prefix("--seed=") {
            match s.parse() {
                Ok(s) => seed = s,
                Err(_) => return usage(),
            }
        } else if arg.starts_with('-') {
            return usage();
        } else {
            pos.push(arg.clone());
        }
    }
    let [n, dir] = pos.as_slice() else {
        return usage();
    };
    let Some(n) = n.parse::<usize>().ok().filter(|n| (1..=99_999).contains(n)) else {
        return usage();
    };
    match run(n, Path::new(dir), seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn run(n: usize, root: &Path, seed: u64) -> Result<(), String> {
    let start = Instant::now();
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    // Only an empty or missing directory, or one this generator wrote, is (re)written.
    if root.exists() {
        let ours = root.join(MARKER).is_file();
        let empty = std::fs::read_dir(root)
            .map_err(|e| io(root, e))?
            .next()
            .is_none();
        if !ours && !empty {
            return Err(format!(
                "{} is not empty and holds no {MARKER}: refusing to write a corpus there",
                root.display()
            ));
        }
        if ours {
            for p in [
                root.join("specs"),
                root.join(MARKER),
                root.join(EXPECTED),
                root.join(".sddgate"),
                root.join(CONFIG),
            ] {
                let r = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
                match r {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(&p, e)),
                }
            }
        }
    }
    std::fs::create_dir_all(root.join(".git")).map_err(|e| io(root, e))?;

    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    let results: Vec<std::io::Result<Totals>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| s.spawn(move || write_range(root, seed, (1..=n).skip(k).step_by(threads))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("generator thread panicked"))
            .collect()
    });
    let mut t = Totals::default();
    for r in results {
        let r = r.map_err(|e| format!("{}: {e}", root.display()))?;
        t.files += r.files;
        t.bytes += r.bytes;
        t.command_specs += r.command_specs;
        t.commands += r.commands;
        t.blockers += r.blockers;
        t.semi += r.semi;
        t.trace_gaps += r.trace_gaps;
        t.auto += r.auto;
        t.semi_manual += r.semi_manual;
        t.block += r.block;
        t.expected.extend(r.expected);
        t.trace.extend(r.trace);
    }
    t.trace.sort_unstable_by_key(|(i, _)| *i);
    let log: String = t
        .trace
        .iter()
        .map(|(_, records)| records.as_str())
        .collect();
    std::fs::create_dir_all(root.join(".sddgate")).map_err(|e| io(root, e))?;
    let p = root.join(TRACE_LOG);
    std::fs::write(&p, &log).map_err(|e| io(&p, e))?;
    // Room for the log twice over, never below the built-in 4 MiB.
    let limit = (2 * log.len() as u64).next_power_of_two().max(4 << 20);
    let p = root.join(CONFIG);
    std::fs::write(
        &p,
        format!(
            "# Written by gen_corpus: the trace log of {n} incidents is {} bytes, the built-in\n\
             # file limit 4 MiB.\nlimits:\n  max_file_size: {limit}\n",
            log.len()
        ),
    )
    .map_err(|e| io(&p, e))?;
    t.files += 2;
    t.bytes += log.len() as u64;
    t.expected.sort_unstable_by_key(|(i, _)| *i);
    let mut tsv = String::from("dir\texpected\tcommands\tblocker\tsemi\ttrace_gap\n");
    for (_, line) in &t.expected {
        tsv.push_str(line);
    }
    let p = root.join(EXPECTED);
    std::fs::write(&p, tsv).map_err(|e| io(&p, e))?;
    let p = root.join(MARKER);
    std::fs::write(&p, format!("gen_corpus v{GEN_VERSION} n={n} seed={seed}\n"))
        .map_err(|e| io(&p, e))?;

    let shown: PathBuf = root.to_path_buf();
    println!(
        "gen_corpus: {n} incidents, {} files, {:.1} MB in {} (seed {seed}, {:.2} s); planted: {} specs with {} concrete commands, {} readiness blockers, {} semi-manual scores, {} trace gaps; expected: auto {}, semi_manual {}, block {}",
        t.files,
        t.bytes as f64 / 1e6,
        shown.display(),
        start.elapsed().as_secs_f64(),
        t.command_specs,
        t.commands,
        t.blockers,
        t.semi,
        t.trace_gaps,
        t.auto,
        t.semi_manual,
        t.block
    );
    Ok(())
}
