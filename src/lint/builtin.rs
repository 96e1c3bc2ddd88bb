//! The built-in tool table: which words are ops commands and what makes them an invocation.
//!
//! Data only. `english` marks tools whose name is also an English word or a capitalized product
//! name (Docker, Helm, Vault, "kill"): those count only when written in lower case (or in a
//! deliberately odd mixed case such as `HeLm`), so "we deploy with Helm" is never a command.
//! Subcommand lists come in two sizes: everything the CLI accepts (code), and the subset that
//! reads as an instruction in prose (read-only or English-looking verbs are left out there).

/// How the words after a tool decide whether it is invoked. Word lists are whitespace
/// separated; `+` joins the words of a multi-word entry (`system+prune`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RuleDef {
    /// A subcommand (flags and their values may come first).
    Subs {
        code: &'static str,
        prose: &'static str,
    },
    /// In code any argument; in prose a flag, a script file or one of `prose_words`.
    Args {
        prose_words: &'static str,
    },
    /// One of these flags anywhere among the arguments, in code and prose alike.
    Flags(&'static str),
    /// `tool GROUP [SUBGROUP] VERB` (az, openstack).
    GroupVerb {
        groups: &'static str,
        verbs: &'static str,
    },
    /// Needs no arguments at all (`reboot`): in code at command position, in prose with a flag.
    Bare,
    Kill,
    Rm,
    Curl,
    Wget,
    Service,
    Aws,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ToolDef {
    pub(crate) name: &'static str,
    pub(crate) english: bool,
    pub(crate) rule: RuleDef,
}

const fn t(name: &'static str, english: bool, rule: RuleDef) -> ToolDef {
    ToolDef {
        name,
        english,
        rule,
    }
}

const fn subs(code: &'static str, prose: &'static str) -> RuleDef {
    RuleDef::Subs { code, prose }
}

const ARGS: RuleDef = RuleDef::Args { prose_words: "" };

const KUBECTL: &str = "get describe delete apply create patch edit scale rollout set label annotate drain \
    cordon uncordon taint exec logs top port-forward cp replace autoscale expose run debug \
    wait attach auth config diff explain api-resources api-versions cluster-info certificate \
    proxy kustomize events version plugin certificates";
const KUBECTL_PROSE: &str = "get describe delete apply create patch edit scale rollout set label annotate drain \
    cordon uncordon taint exec logs top port-forward cp replace autoscale expose run debug \
    wait attach";
const OC: &str = "get describe delete apply create patch edit scale rollout set label annotate drain \
    cordon uncordon taint exec logs top port-forward cp replace autoscale expose run debug \
    wait attach auth config diff explain api-resources version login logout project projects \
    new-app new-project start-build cancel-build rollback rsh rsync process adm import-image \
    tag policy whoami status new-build observe extract image";
const OC_PROSE: &str = "get describe delete apply create patch edit scale rollout set label annotate drain \
    cordon uncordon taint exec logs top port-forward cp replace autoscale expose debug \
    rollback rsh rsync adm start-build cancel-build new-app login";
const HELM: &str = "install upgrade uninstall delete del un rollback list ls status history get template \
    repo dependency dep test pull push package plugin lint show search create env registry \
    verify version diff secrets";
const HELM_PROSE: &str = "install upgrade uninstall delete del rollback";
const DOCKER: &str = "run exec stop start restart kill rm rmi pull push build ps logs inspect compose system \
    volume network container image update pause unpause cp commit tag login logout swarm \
    service stack node secret config top stats attach wait rename create save load export \
    import builder buildx context events history info plugin port search version diff \
    manifest pod generate play machine healthcheck images";
const DOCKER_PROSE: &str = "run exec stop restart kill rm rmi pull push update pause unpause cp start system+prune \
    container+rm container+stop container+restart container+kill container+prune image+prune \
    image+rm volume+rm volume+prune network+rm service+update service+scale service+rm \
    stack+rm stack+deploy swarm+leave node+rm compose+up compose+down compose+restart \
    compose+stop compose+rm compose+kill compose+pull";
const COMPOSE: &str = "up down restart stop start rm kill pull build exec run logs ps scale pause unpause \
    config create push top events port images";
const COMPOSE_PROSE: &str =
    "up down restart stop start rm kill pull exec run scale pause unpause build";
const CRICTL: &str = "ps pods rm rmp stop stopp exec logs inspect inspectp images rmi pull runp create start \
    update stats statsp port-forward attach info version";
const SYSTEMCTL: &str = "start stop restart reload try-restart reload-or-restart try-reload-or-restart kill \
    enable disable mask unmask daemon-reload daemon-reexec status is-active is-failed \
    is-enabled isolate reboot poweroff halt rescue emergency set-property edit reset-failed \
    show cat list-units list-unit-files list-timers set-default suspend hibernate revert \
    preset link condrestart force-reload";
const GCLOUD: &str = "compute container sql run functions pubsub config auth projects iam app redis dns \
    logging secrets storage kms services memcache spanner dataproc dataflow builds artifacts \
    scheduler tasks monitoring filestore composer ai ml alpha beta deploy workflows bigtable \
    firestore datastore endpoints source organizations network-connectivity \
    certificate-manager edge-cache looker alloydb workstations";
const GSUTIL: &str = "cp rm mv rsync ls cat mb rb acl iam setmeta du stat signurl defacl lifecycle versioning \
    retention label hash compose notification kms logging cors web";
const GSUTIL_PROSE: &str = "cp rm mv rsync mb rb acl iam setmeta";
const EKSCTL: &str = "create delete get scale upgrade drain utils update set unset enable register deregister \
    anywhere info version";
const EKSCTL_PROSE: &str = "create delete scale upgrade drain utils update set enable";
const TERRAFORM: &str = "init plan apply destroy import state taint untaint refresh workspace output validate fmt \
    force-unlock console show graph providers get login logout test run-all hclfmt \
    render-json";
const TERRAFORM_PROSE: &str = "apply destroy import taint untaint refresh force-unlock run-all state+rm state+mv \
    state+push state+replace-provider workspace+select workspace+delete workspace+new";
const PULUMI: &str = "up destroy refresh preview stack config cancel import state login logout new plugin \
    watch whoami about convert";
const PULUMI_PROSE: &str = "up destroy refresh cancel import state+delete state+unprotect";
const REDIS_WORDS: &str = "FLUSHALL FLUSHDB DEL UNLINK CONFIG SET GET KEYS SCAN INFO CLIENT SHUTDOWN DEBUG SLOWLOG \
    MEMORY EXPIRE BGSAVE BGREWRITEAOF SAVE FAILOVER CLUSTER MONITOR SCRIPT EVAL ACL \
    REPLICAOF SLAVEOF XTRIM LTRIM HDEL ZREM SREM";
const ISTIOCTL: &str = "proxy-config proxy-status analyze install uninstall upgrade x experimental dashboard \
    kube-inject manifest operator tag version admin bug-report verify-install waypoint \
    ztunnel-config authz profile validate remote-clusters ps pc";
const ARGOCD: &str = "app cluster proj repo login logout account admin cert gpg relogin version context appset \
    repocreds";
const ARGOCD_PROSE: &str = "app+sync app+rollback app+delete app+set app+terminate-op app+patch app+actions \
    app+create app+unset app+delete-resource cluster+rm appset+delete";
const FLUX: &str = "reconcile suspend resume get create delete bootstrap install uninstall export logs trace \
    diff build push pull tag check stats events tree";
const FLUX_PROSE: &str = "reconcile suspend resume delete bootstrap install uninstall create";
const ETCDCTL: &str = "get put del watch compaction defrag snapshot member endpoint alarm move-leader lease \
    role user auth txn make-mirror elect lock check version";
const ETCDCTL_PROSE: &str =
    "put del defrag snapshot member compaction alarm move-leader lease endpoint";
const VAULT: &str = "read write delete list kv secrets auth token operator lease policy login status unwrap \
    audit plugin namespace patch agent server ssh pki transit monitor debug print";
const VAULT_PROSE: &str = "write delete kv+put kv+delete kv+destroy kv+patch kv+rollback lease+revoke \
    operator+unseal operator+seal operator+raft operator+step-down token+revoke \
    secrets+disable secrets+enable secrets+tune auth+disable patch";
const CONSUL: &str = "kv services catalog members join leave force-leave maint operator reload snapshot acl \
    agent event exec info intention keygen keyring lock monitor rtt validate watch debug \
    connect config";
const CONSUL_PROSE: &str = "kv+put kv+delete maint force-leave leave reload snapshot+restore snapshot+save \
    services+deregister services+register operator+raft";
const NOMAD: &str = "job alloc node deployment eval namespace operator server status system var volume plan \
    run stop acl agent-info";
const NOMAD_PROSE: &str = "job+stop job+run job+restart job+dispatch job+revert job+scale alloc+restart alloc+stop \
    alloc+signal node+drain node+eligibility deployment+fail deployment+promote system+gc";
const SUPERVISORCTL: &str = "start stop restart reload reread update status signal clear tail shutdown add remove \
    avail pid fg maintail";
const PM2: &str = "start stop restart reload delete kill list ls status logs monit flush save resurrect \
    scale reset describe show update startup unstartup install deploy env trigger sendsignal \
    ping";
const PM2_PROSE: &str = "start stop restart reload delete kill flush scale reset resurrect update";
const VIRSH: &str = "start shutdown reboot reset destroy undefine define suspend resume list dominfo console \
    setmem setvcpus migrate snapshot-create snapshot-revert snapshot-delete edit autostart \
    net-destroy pool-destroy vol-delete attach-device detach-device domstate";
const NODETOOL: &str = "repair drain decommission cleanup compact flush removenode assassinate stopdaemon \
    disablegossip enablegossip disablebinary enablebinary rebuild scrub status ring info \
    tpstats garbagecollect move resetlocalschema upgradesstables snapshot clearsnapshot \
    invalidatekeycache invalidaterowcache setcompactionthroughput truncatehints netstats \
    describecluster";
const RABBITMQCTL: &str = "stop stop_app start_app reset force_reset purge_queue delete_queue list_queues \
    list_connections close_connection close_all_connections delete_user add_user \
    set_permissions set_policy clear_policy cluster_status join_cluster forget_cluster_node \
    status eval set_vm_memory_high_watermark set_disk_free_limit rotate_logs shutdown \
    await_startup list_channels change_cluster_node_type report environment list_consumers \
    list_exchanges list_policies list_users list_vhosts list_permissions list_bindings \
    list_parameters list_global_parameters list_operator_policies add_vhost delete_vhost \
    change_password clear_password set_user_tags set_parameter clear_parameter \
    set_global_parameter set_operator_policy clear_operator_policy sync_queue \
    cancel_sync_queue trace_on trace_off node_health_check close_all_user_connections \
    set_log_level force_boot update_cluster_nodes rename_cluster_node wait ping";
const PATRONICTL: &str = "failover switchover restart reload reinit pause resume list edit-config remove history \
    topology query dsn show-config flush";
const CERTBOT: &str = "renew certonly run certificates revoke delete install rollback update_symlinks enhance \
    register unregister reconfigure";
const CMCTL: &str = "renew status check approve deny create inspect convert upgrade experimental x";
const KUBEADM: &str = "certs reset upgrade init join token kubeconfig alpha config";
const VELERO: &str = "backup restore schedule delete create get describe install uninstall snapshot-location \
    backup-location plugin";
const AZ_GROUPS: &str = "vm vmss aks webapp functionapp sql storage network group account keyvault acr cosmosdb \
    redis monitor role ad resource container containerapp appservice postgres mysql \
    deployment lock policy servicebus eventhubs backup snapshot disk image identity cache \
    spring batch apim login";
const AZ_VERBS: &str = "restart start stop delete create update scale show list set deallocate redeploy reimage \
    upgrade failover purge reset import export restore rotate renew nodepool browse up wait \
    add remove assign run invoke";
const OPENSTACK_GROUPS: &str = "server volume network port router subnet stack image flavor project user role hypervisor \
    compute loadbalancer floating security keypair quota aggregate host container baremetal \
    service";
const OPENSTACK_VERBS: &str = "reboot start stop delete create set unset rebuild resize migrate evacuate shelve \
    unshelve pause unpause suspend resume lock unlock rescue unrescue show list add remove \
    restore failover power";

/// Every built-in tool. `sql` and `http` are statement detectors, not listed here.
pub(crate) const TOOLS: &[ToolDef] = &[
    t("kubectl", false, subs(KUBECTL, KUBECTL_PROSE)),
    t("oc", true, subs(OC, OC_PROSE)),
    t("helm", true, subs(HELM, HELM_PROSE)),
    t("docker", true, subs(DOCKER, DOCKER_PROSE)),
    t("podman", true, subs(DOCKER, DOCKER_PROSE)),
    t("nerdctl", false, subs(DOCKER, DOCKER_PROSE)),
    t("docker-compose", false, subs(COMPOSE, COMPOSE_PROSE)),
    t("crictl", false, subs(CRICTL, CRICTL)),
    t("systemctl", false, subs(SYSTEMCTL, SYSTEMCTL)),
    t("service", true, RuleDef::Service),
    t(
        "journalctl",
        false,
        RuleDef::Flags("--vacuum-size --vacuum-time --vacuum-files --rotate --flush"),
    ),
    t("aws", true, RuleDef::Aws),
    t("gcloud", false, subs(GCLOUD, GCLOUD)),
    t("gsutil", false, subs(GSUTIL, GSUTIL_PROSE)),
    t(
        "az",
        true,
        RuleDef::GroupVerb {
            groups: AZ_GROUPS,
            verbs: AZ_VERBS,
        },
    ),
    t("eksctl", false, subs(EKSCTL, EKSCTL_PROSE)),
    t("terraform", true, subs(TERRAFORM, TERRAFORM_PROSE)),
    t("terragrunt", true, subs(TERRAFORM, TERRAFORM_PROSE)),
    t("pulumi", true, subs(PULUMI, PULUMI_PROSE)),
    t("ansible", true, ARGS),
    t("ansible-playbook", false, ARGS),
    t("psql", false, ARGS),
    t("mysql", true, ARGS),
    t("mongosh", false, ARGS),
    t("mongo", true, ARGS),
    t("sqlcmd", false, ARGS),
    t(
        "redis-cli",
        false,
        RuleDef::Args {
            prose_words: REDIS_WORDS,
        },
    ),
    t("kill", true, RuleDef::Kill),
    t("pkill", false, ARGS),
    t("killall", false, ARGS),
    t("rm", true, RuleDef::Rm),
    t("curl", true, RuleDef::Curl),
    t("wget", true, RuleDef::Wget),
    t("istioctl", false, subs(ISTIOCTL, ISTIOCTL)),
    t("argocd", true, subs(ARGOCD, ARGOCD_PROSE)),
    t("flux", true, subs(FLUX, FLUX_PROSE)),
    t("etcdctl", false, subs(ETCDCTL, ETCDCTL_PROSE)),
    t("vault", true, subs(VAULT, VAULT_PROSE)),
    t("consul", true, subs(CONSUL, CONSUL_PROSE)),
    t("nomad", true, subs(NOMAD, NOMAD_PROSE)),
    t("supervisorctl", false, subs(SUPERVISORCTL, SUPERVISORCTL)),
    t("pm2", true, subs(PM2, PM2_PROSE)),
    t("virsh", false, subs(VIRSH, VIRSH)),
    t(
        "openstack",
        true,
        RuleDef::GroupVerb {
            groups: OPENSTACK_GROUPS,
            verbs: OPENSTACK_VERBS,
        },
    ),
    t("nodetool", false, subs(NODETOOL, NODETOOL)),
    t("rabbitmqctl", false, subs(RABBITMQCTL, RABBITMQCTL)),
    t("patronictl", false, subs(PATRONICTL, PATRONICTL)),
    t("certbot", false, subs(CERTBOT, CERTBOT)),
    t("cmctl", false, subs(CMCTL, CMCTL)),
    t("kubeadm", false, subs(KUBEADM, KUBEADM)),
    t("velero", false, subs(VELERO, VELERO)),
    t("kafka-consumer-groups", false, ARGS),
    t("kafka-topics", false, ARGS),
    t("kafka-configs", false, ARGS),
    t("pg_ctl", false, ARGS),
    t("pg_ctlcluster", false, ARGS),
    t("celery", true, ARGS),
    t("iptables", false, ARGS),
    t("ip6tables", false, ARGS),
    t("nft", false, ARGS),
    t("sysctl", false, RuleDef::Flags("-w --write -p --load")),
    t("truncate", true, RuleDef::Flags("-s --size")),
    t("find", true, RuleDef::Flags("-delete")),
    t("logrotate", false, RuleDef::Flags("-f --force")),
    t("nginx", true, RuleDef::Flags("-s")),
    t("lvextend", false, ARGS),
    t("resize2fs", false, ARGS),
    t("xfs_growfs", false, ARGS),
    t("growpart", false, ARGS),
    t("reboot", true, RuleDef::Bare),
    t("shutdown", true, RuleDef::Bare),
    t("halt", true, RuleDef::Bare),
    t("poweroff", true, RuleDef::Bare),
];

/// Built-in aliases (code, command position only).
pub(crate) const ALIASES: &[(&str, &str)] = &[("k", "kubectl")];

/// Keywords that open a mutating SQL statement, and HTTP methods of raw API calls: prefilter
/// words for the statement detectors.
pub(crate) const SQL_WORDS: &[&str] = &[
    "drop",
    "delete",
    "truncate",
    "update",
    "alter",
    "insert",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "vacuum",
    "reindex",
    "kill",
    "set",
];
pub(crate) const HTTP_WORDS: &[&str] = &["post", "put", "patch", "delete"];

/// Words that show a tool is being talked about rather than run, when they follow its
/// subcommand in prose ("kubectl delete is forbidden", "the docker restart policy"). Articles
/// and prepositions are not here: "terraform destroy against prod" is a command with a target.
pub(crate) const FOLLOW_STOPWORDS: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "will",
    "would",
    "should",
    "must",
    "can",
    "could",
    "may",
    "might",
    "shall",
    "does",
    "do",
    "did",
    "has",
    "have",
    "had",
    "isn't",
    "aren't",
    "won't",
    "policy",
    "policies",
    "step",
    "steps",
    "stage",
    "hook",
    "hooks",
    "output",
    "outputs",
    "permission",
    "permissions",
    "access",
    "rights",
    "command",
    "commands",
    "call",
    "calls",
    "operation",
    "operations",
    "privileges",
    "workflow",
    "pipeline",
    "window",
    "budget",
    "count",
    "loop",
    "loops",
    "storm",
    "review",
    "reviews",
    "latency",
    "strategy",
    "semantics",
    "behaviour",
    "behavior",
    "rate",
    "limit",
    "limits",
    "phase",
    "plan",
    "process",
    "request",
    "requests",
];

/// Plain English words: they end the rendering of a prose command, stop the search for a
/// flag in prose, and are not the first argument of a command in code ("# rm the lock file").
pub(crate) const STOPWORDS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "will", "would", "should", "must", "can",
    "could", "may", "might", "shall", "does", "do", "did", "has", "have", "had", "and", "or",
    "but", "nor", "so", "yet", "not", "never", "only", "also", "then", "than", "as", "because",
    "since", "while", "when", "whenever", "if", "unless", "until", "which", "who", "whom", "whose",
    "that", "this", "these", "those", "the", "a", "an", "it", "its", "them", "they", "of", "for",
    "from", "by", "with", "without", "about", "into", "onto", "over", "under", "via", "against",
    "to", "on", "in", "at", "per", "any", "every", "each", "some", "none", "here", "there", "old",
    "stale",
];
