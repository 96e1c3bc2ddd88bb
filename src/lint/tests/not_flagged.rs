//! Text that must not be reported: what real specifications say about tools and actions.

use super::none;

#[test]
fn abstract_actions() {
    none(
        "## Pre-approved actions\n\n- restart_pod\n- scale_up_replicas_one (requires: stateless, hpa_enabled)\n- drain_node\n",
    );
    none("- `restart_pod` — restarts one pod\n- `kill_switch_large_exports`\n");
    none(
        "```yaml\nactions: [{name: scale_up_replicas_one, requires: [stateless, hpa_enabled]}]\n```\n",
    );
    none(
        "```yaml\nactions:\n  - name: restart_pod\n    requires: [stateless]\n  - name: delete_namespace\n```\n",
    );
}

#[test]
fn tools_named_without_invocation() {
    none("We deploy with Helm and kubectl access is restricted to on-call.");
    none("The team uses Terraform, Ansible, Vault, Consul and Nomad.");
    none("Restarts are done by the Docker daemon, not by systemd.");
    none("kubectl, helm and terraform are installed on the bastion.");
    none("The service is restarted by its supervisor.");
    none("kubectl-commands.md lists the allowed verbs; kubectl's output is parsed.");
    none("Ask the on-call engineer before any kubectl/Helm operation.");
    none("kubectl delete is not an acceptable remediation for stateful pods.");
    none("A failed helm upgrade must never be retried automatically.");
    none("Previously people ran helm rollback by hand.");
    none("| Tool | Owner |\n|---|---|\n| kubectl | platform |\n| Helm | platform |\n");
    none("Никогда не использовать kubectl напрямую.");
    none("Không dùng kubectl để xóa pod.");
}

#[test]
fn urls_images_and_config() {
    none("See [the kubectl reference](https://kubernetes.io/docs/reference/kubectl/).");
    none("See https://kubernetes.io/docs/reference/kubectl/ for details.");
    none("<https://kubernetes.io/docs/reference/kubectl/kubectl/>");
    none(
        "```yaml\nimage: bitnami/kubectl:1.29\ntools: [kubectl, helm, pkill, killall, rm]\ncli: kubectl  # 1.29\n```\n",
    );
    none("```yaml\nforbidden:\n  - kubectl\n  - helm\n```\n");
    none("```json\n{\"tools\": [\"kubectl\", \"helm\"], \"owner\": \"platform\"}\n```\n");
    none("---\ntools: kubectl\nrunbook: runbooks/kubectl-access.md\n---\n# x\n");
}

#[test]
fn get_requests_and_read_only_tools() {
    none(
        "```bash\ncurl -s https://api.internal/healthz\njournalctl -u kubelet --since today\n```\n",
    );
    none("GET /api/v1/namespaces/x/pods returns the list.");
}

#[test]
fn suppression_directive_is_skipped() {
    none(
        "<!-- sddgate-allow concrete_command_in_spec: quoted from the postmortem kubectl delete pod x -->\nText.\n",
    );
    none(
        "Text <!-- sddgate-allow concrete_command_in_spec: reason kubectl delete pod x --> more.\n",
    );
    none("<!-- sddgate-allow concrete_command_in_spec: spans\nkubectl delete pod x\nlines -->\n");
}

#[test]
fn prose_english_that_looks_like_commands() {
    none("Kill the process only if it ignores SIGTERM.");
    none("Find the pod with the highest memory and restart it.");
    none("The service restart count is exported by the node exporter.");
    none("Time to recovery must be under 10 minutes.");
    none("The Docker image tag must still exist in the registry.");
    none("Terraform state is stored in S3 and never edited by hand.");
    none("The vault operator role is held by the security team.");
    none("A flux of new pods can overload CoreDNS.");
    none("Set an AZ-aware topology spread; a single AZ outage must be survivable.");
    none("If the service appointments-api restart loop continues, page on-call.");
    none("The OOM killer may kill 30 pods at once.");
}
