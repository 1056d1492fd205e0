# METADATA
# title: Exchange writeback job is healthy and maps mail
# description: >-
#   When writeback is planned or configured, the Cloud Sync job with the
#   Exchange writeback template must exist, be scheduled (Active) and have
#   last run successfully. Jobs configured before writeback reached general
#   availability (2026-08-03) lack the mapping of mail (WindowsEmailAddress)
#   until their default mappings are restored, so AD's mail attribute goes
#   stale.
# related_resources:
#   - ref: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/exchange-hybrid
#     description: Entra Cloud Sync Exchange hybrid writeback
#   - ref: https://learn.microsoft.com/graph/api/resources/synchronization-synchronizationjob
#     description: Microsoft Graph synchronizationJob (schedule, status)
# custom:
#   id: EXR-WB-002
#   severity: high
#   category: writeback
#   requires: [entra.sync_jobs]
#   remediation: >-
#     Configure or start the Exchange writeback in the Microsoft Entra admin
#     center (Cloud Sync), fix the errors its provisioning logs show, and for
#     jobs made before GA open Attribute mapping and choose Restore default
#     mappings.
package exoready.rules.writeback.writeback_job

import data.exoready.lib

jobs := lib.writeback_jobs(input.entra.sync_jobs)

planned := lib.truthy(object.get(input, ["facts", "cloud_sync", "writeback_planned"], null))

checked := max([count(jobs), 1])

job_object(j) := {"type": "sync_job", "id": lower(j.id), "name": "Exchange attribute writeback job", "dn": ""}

start_uri(j) := sprintf("https://graph.microsoft.com/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start", [j.service_principal_id, j.id])

deny contains {
	"msg": sprintf("Exchange writeback is planned (facts) but no Cloud Sync job with template %s exists", [lib.params.writeback_job_template_id]),
	"object": lib.tenant_object,
	"key": "missing",
	"evidence": {"template_id": lib.params.writeback_job_template_id, "sync_jobs": [j.template_id | some j in input.entra.sync_jobs]},
} if {
	planned
	count(jobs) == 0
}

deny contains {
	"msg": sprintf("the Exchange writeback job is %s, not scheduled to run", [j.schedule_state]),
	"object": job_object(j),
	"key": "schedule",
	"evidence": {"schedule_state": j.schedule_state, "job_id": j.id},
	"remediation": sprintf("Invoke-MgGraphRequest -Method POST -Uri %s", [lib.ps_quote(start_uri(j))]),
} if {
	some j in jobs
	not lib.in_list(j.schedule_state, lib.params.writeback_active_states)
}

deny contains {
	"msg": sprintf("the last run of the Exchange writeback job %s (%s)", [last_state(j), object.get(j, "last_execution_time", "never")]),
	"object": job_object(j),
	"key": "last_run",
	"evidence": {"last_execution_state": j.last_execution_state, "last_execution_time": object.get(j, "last_execution_time", null), "job_id": j.id},
	"remediation": "Open the Exchange writeback configuration in Entra Cloud Sync, read its provisioning logs and fix the errors they show; then restart the job.",
} if {
	some j in jobs
	not lib.in_list(j.last_execution_state, lib.params.writeback_success_states)
}

last_state(j) := "never ran" if {
	object.get(j, "last_execution_state", "") in {"", null}
} else := sprintf("ended %s", [j.last_execution_state])

lacks_mail(j) if {
	is_array(j.target_attributes)
	not lib.in_list(lib.params.writeback_required_attribute, j.target_attributes)
}

deny contains {
	"msg": sprintf("the Exchange writeback job does not map %s%s: AD's %s goes stale for cloud-managed mailboxes", [lib.params.writeback_required_attribute, created_text(j), lib.params.writeback_required_attribute]),
	"object": job_object(j),
	"key": "mapping",
	"evidence": {"created_at": object.get(j, "created_at", null), "ga_date": lib.params.writeback_ga_date, "target_attributes": j.target_attributes},
	"remediation": "In the Microsoft Entra admin center open Cloud Sync, the Exchange writeback configuration, Attribute mapping, and choose Restore default mappings.",
} if {
	some j in jobs
	lacks_mail(j)
}

created_before_ga(j) if lib.ns(object.get(j, "created_at", null)) < lib.writeback_ga_ns

created_text(j) := sprintf(" (it was created on %s, before writeback GA on %s, and its default mappings were never restored)", [substring(j.created_at, 0, 10), lib.params.writeback_ga_date]) if {
	created_before_ga(j)
} else := ""

errors contains {
	"msg": sprintf("the attribute mappings of the Exchange writeback job were not read and it was created before writeback GA (%s): whether it maps %s is unknown", [lib.params.writeback_ga_date, lib.params.writeback_required_attribute]),
	"object": job_object(j),
} if {
	some j in jobs
	not is_array(j.target_attributes)
	created_before_ga(j)
}
