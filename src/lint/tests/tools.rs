//! Each tool class: what makes its word an invocation, in code and in prose.

use super::{bash, found, none, one, tools};

#[test]
fn subcommand_tools_in_code() {
    for (cmd, tool) in [
        ("kubectl -n prod delete pod api-7b4", "kubectl"),
        (
            "kubectl --context=prod rollout restart deploy/api",
            "kubectl",
        ),
        ("KUBECTL get pods", "kubectl"),
        ("oc adm drain node-1", "oc"),
        ("helm -n web rollback web 41", "helm"),
        ("docker system prune -af", "docker"),
        ("podman restart api", "podman"),
        ("docker-compose up -d", "docker-compose"),
        ("crictl rmi --prune", "crictl"),
        ("systemctl restart nginx", "systemctl"),
        ("gcloud compute instances reset vm-1", "gcloud"),
        ("gsutil rm gs://bucket/x", "gsutil"),
        ("eksctl scale nodegroup --nodes 3", "eksctl"),
        ("terraform apply -auto-approve", "terraform"),
        ("terragrunt run-all apply", "terragrunt"),
        ("pulumi up --yes", "pulumi"),
        ("istioctl proxy-status", "istioctl"),
        ("argocd app sync web", "argocd"),
        ("flux reconcile kustomization apps", "flux"),
        ("etcdctl defrag", "etcdctl"),
        ("vault kv put secret/x a=b", "vault"),
        ("consul maint -enable", "consul"),
        ("nomad job stop web", "nomad"),
        ("supervisorctl restart worker", "supervisorctl"),
        ("pm2 restart api", "pm2"),
        ("virsh reboot vm-2", "virsh"),
        ("nodetool drain", "nodetool"),
        ("rabbitmqctl purge_queue orders", "rabbitmqctl"),
        ("patronictl failover --force", "patronictl"),
        ("certbot renew --force-renewal", "certbot"),
    ] {
        assert_eq!(tools(&bash(cmd)), [tool], "{cmd}");
    }
}

#[test]
fn subcommand_needed_in_code() {
    none(&bash("kubectl"));
    none(&bash("kubectl --help"));
    none(&bash("helm chart"));
    none(&bash("# kubectl under the hood"));
}

#[test]
fn tools_without_a_list_take_any_argument_in_code() {
    for (cmd, tool) in [
        ("pkill -f celery", "pkill"),
        ("pkill celery", "pkill"),
        ("killall nginx", "killall"),
        ("psql -h db -U admin appointments", "psql"),
        ("mysql -e 'SET GLOBAL max_connections=500'", "mysql"),
        ("redis-cli -h cache FLUSHALL", "redis-cli"),
        ("ansible all -m reboot", "ansible"),
        ("ansible-playbook site.yml", "ansible-playbook"),
        ("iptables -F", "iptables"),
        (
            "kafka-consumer-groups --reset-offsets --execute",
            "kafka-consumer-groups",
        ),
    ] {
        assert_eq!(tools(&bash(cmd)), [tool], "{cmd}");
    }
    none(&bash("# pkill the worker by hand"));
}

#[test]
fn tools_need_a_flag_or_statement_in_prose() {
    one("Run pkill -f celery on the host.", "pkill");
    none("Never use pkill on shared hosts.");
    one("Then psql -c 'VACUUM' the database.", "psql");
    none("The psql client is installed on the bastion.");
    one("Run redis-cli FLUSHALL to empty it.", "redis-cli");
    none("redis-cli is only available to the cache team.");
    one(
        "Apply with ansible-playbook site.yml first.",
        "ansible-playbook",
    );
}

#[test]
fn kill_needs_signal_pid_or_substitution() {
    assert_eq!(tools(&bash("kill -9 4242")), ["kill"]);
    assert_eq!(tools(&bash("kill 4242")), ["kill"]);
    assert_eq!(tools(&bash("kill -s TERM 4242")), ["kill"]);
    assert_eq!(tools(&bash("kill $(pgrep -f worker)")), ["kill"]);
    assert_eq!(tools(&bash("kill %1")), ["kill"]);
    one("If it hangs, kill -9 the worker.", "kill");
    one("Then kill 4242.", "kill");
    one("Then kill 4242 and 4243.", "kill");
    none("Kill the worker if it hangs.");
    none("The kill switch disables large exports.");
    none(&bash("# kill the worker"));
}

#[test]
fn rm_needs_recursive_or_force_in_prose() {
    one("As a last resort, rm -rf /var/cache/app.", "rm");
    one("Use rm --recursive on the scratch directory.", "rm");
    none("Do not rm anything by hand.");
    assert_eq!(tools(&bash("rm /tmp/lock")), ["rm"]);
    none(&bash("# rm the lock file if it is stale"));
}

#[test]
fn curl_and_wget_only_when_mutating() {
    for cmd in [
        "curl -X POST https://api/x",
        "curl -XDELETE https://api/x",
        "curl -sSX PATCH https://api/x",
        "curl --request PUT https://api/x",
        "curl --request=DELETE https://api/x",
        "curl -d 'a=1' https://api/x",
        "curl --data-binary @f https://api/x",
        "curl -F file=@x https://api/x",
        "curl -T dump.sql https://api/x",
        "curl --json '{}' https://api/x",
    ] {
        assert_eq!(tools(&bash(cmd)), ["curl"], "{cmd}");
    }
    none(&bash("curl -fsSL https://example.com/install.sh"));
    none(&bash("curl -X GET https://api/x"));
    none(&bash("curl -H 'X-Debug: d' https://api/x"));
    assert_eq!(tools(&bash("wget --method=DELETE https://api/x")), ["wget"]);
    assert_eq!(
        tools(&bash("wget --post-data 'a=1' https://api/x")),
        ["wget"]
    );
    none(&bash("wget https://example.com/file.tar.gz"));
    one("Send it with curl -X POST https://api/x and wait.", "curl");
}

#[test]
fn service_aws_az_openstack() {
    assert_eq!(tools(&bash("service nginx restart")), ["service"]);
    one("Restart with service nginx restart on each VM.", "service");
    none("The service nginx fronts is the booking API.");
    none(&bash("kind: Service"));
    assert_eq!(
        tools(&bash(
            "aws --region eu-west-1 ec2 reboot-instances --instance-ids i-1"
        )),
        ["aws"]
    );
    assert_eq!(tools(&bash("aws s3 rm s3://b/x --recursive")), ["aws"]);
    none(&bash("provider: aws"));
    none("AWS ec2 instances are tagged by team.");
    assert_eq!(tools(&bash("az vm restart -g rg -n vm")), ["az"]);
    none("A single az network partition took out one zone.");
    assert_eq!(
        tools(&bash("openstack server reboot --hard vm-7")),
        ["openstack"]
    );
    none("The OpenStack server list is long.");
}

#[test]
fn bare_commands_and_flag_tools() {
    assert_eq!(tools(&bash("sudo reboot")), ["reboot"]);
    assert_eq!(tools(&bash("shutdown -r now")), ["shutdown"]);
    none(&bash("# reboot the node if needed"));
    none("```yaml\nactions: [reboot, drain]\n```\n");
    none("A reboot is a human decision.");
    one("Reboot from the console: shutdown -r now.", "shutdown");
    assert_eq!(
        tools(&bash("journalctl --vacuum-size=500M")),
        ["journalctl"]
    );
    none(&bash("journalctl -u kubelet --since today"));
    assert_eq!(tools(&bash("find /var/log -name '*.gz' -delete")), ["find"]);
    none(&bash("find /var/log -name '*.gz'"));
    assert_eq!(tools(&bash("truncate -s 0 /var/log/app.log")), ["truncate"]);
    assert_eq!(tools(&bash("nginx -s reload")), ["nginx"]);
    none(&bash("nginx -t"));
    assert_eq!(tools(&bash("sysctl -w vm.swappiness=10")), ["sysctl"]);
}

#[test]
fn sql_statements() {
    for stmt in [
        "DROP TABLE sessions;",
        "DROP INDEX CONCURRENTLY IF EXISTS idx_a;",
        "DELETE FROM sessions WHERE id = 1;",
        "TRUNCATE TABLE audit_log;",
        "UPDATE users SET active = false;",
        "UPDATE users\nSET active = false;",
        "ALTER TABLE orders ADD COLUMN x int;",
        "INSERT INTO flags VALUES (1);",
        "SELECT pg_terminate_backend(4242);",
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity;",
        "VACUUM FULL sessions;",
        "SET GLOBAL max_connections = 500;",
    ] {
        assert_eq!(tools(&format!("```sql\n{stmt}\n```\n")), ["sql"], "{stmt}");
    }
    // Lower case counts in a SQL block or with a terminating `;`, not in a bash comment.
    assert_eq!(
        tools("```sql\ndelete from sessions where id = 1\n```\n"),
        ["sql"]
    );
    assert_eq!(
        tools(&bash("echo 'delete from sessions where id = 1;'")),
        ["sql"]
    );
    none(&bash("# delete from cache when evicted"));
    // Prose needs upper-case keywords and a real target.
    one(
        "The DBA ran DELETE FROM sessions WHERE last_seen < now().",
        "sql",
    );
    none("Old rows are deleted from sessions by a nightly job.");
    none("The pipeline must not issue DROP TABLE or DELETE FROM statements.");
    none("No DDL (DROP TABLE, ALTER TABLE) during the incident.");
    none("SELECT count(*) FROM pg_stat_activity;");
}

#[test]
fn raw_api_calls() {
    one("DELETE /api/v1/namespaces/appointments-api", "http");
    one(
        "```http\nPOST /api/v1/namespaces/x/pods/y/eviction HTTP/1.1\n```\n",
        "http",
    );
    one(
        "```\nPOST _cluster/reroute?retry_failed=true\n```\n",
        "http",
    );
    one(
        "Then PUT https://es.internal:9200/logs/_settings with the body.",
        "http",
    );
    one("DELETE /logs-app-2026.03.01", "http");
    none("GET /api/v1/namespaces/x/pods");
    none("Grafana sends POST /webhooks/grafana to the intake.");
    none("The SLO covers `POST /v1/appointments` and `DELETE /v1/appointments/{id}`.");
    none("```\nPOST /orders/_search\n```\n");
    none("No DELETE requests are sent.");
    none("delete /tmp/x");
}

#[test]
fn matched_rendering() {
    assert_eq!(
        found(
            "Restart it via kubectl rollout restart deployment/appointments-api and then verify."
        ),
        [(
            "kubectl".into(),
            "kubectl rollout restart deployment/appointments-api".into()
        )]
    );
    assert_eq!(
        found(&bash("sudo kubectl   delete \\\n   pod   x | tee log")),
        [("kubectl".into(), "kubectl delete pod x".into())]
    );
    let long = format!("kubectl annotate pod x {}", "a".repeat(200));
    let m = &found(&bash(&long))[0].1;
    assert_eq!(m.chars().count(), 120);
    assert!(m.ends_with('…'));
}

#[test]
fn english_tools_are_lower_case_only() {
    none("Docker restart policies are set to on-failure.");
    none("Helm upgrade failures page the release owner.");
    none("HELM rollback is documented in the plan.");
    one("Run helm rollback web 41 if the canary fails.", "helm");
    one("Odd casing is still seen: hElm rollback web 41.", "helm");
    one("Also DoCkEr rm -f api-canary.", "docker");
    one("KUBECTL delete pod x is never allowed.", "kubectl");
}
