// Package plan turns an assessment into a rollout of IsExchangeCloudManaged:
// a pilot cohort chosen only from mailboxes ready to flip now, waves of the
// remaining mailboxes grouped by OU, department, custom attribute or domain
// with their earliest safe start and blockers, and per wave the backup,
// enable, verify and rollback PowerShell, plus a narrow RBAC role script from
// the toggle-permission data. It reads an evaluate.Report (findings.json, or
// a snapshot evaluated by the caller through the engine), writes plan.json,
// PLAN.md, plan.xlsx and the scripts, and re-checks a written plan against a
// fresh scan (Check). It decides nothing the rules did not: readiness,
// blockers and wait times come from the findings contract.
package plan
