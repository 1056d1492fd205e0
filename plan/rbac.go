package plan

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/exoready/exoready/evaluate"
)

// FlagParameter is the Set-Mailbox parameter the whole plan is about.
const FlagParameter = "IsExchangeCloudManaged"

// togglePrincipalsSection is the inventory section EXR-GOV-001 fills with
// who can toggle the flag, through which role and chain.
const togglePrincipalsSection = "toggle_principals"

// RBAC is what the plan knows about who can toggle the flag, and the
// narrow role its script creates.
type RBAC struct {
	RoleName   string `json:"role_name"`
	Group      string `json:"group"`
	ParentRole string `json:"parent_role"`
	// ParentFrom says how ParentRole was chosen.
	ParentFrom string `json:"parent_from"`
	// Roles are the Exchange Online roles carrying the parameter at planning.
	Roles      []RBACRole  `json:"roles"`
	Principals []Principal `json:"principals"`
	// DataFrom names the data the two lists come from.
	DataFrom string `json:"data_from"`
	Script   string `json:"script"`
}

// RBACRole is an Exchange Online role whose Set-Mailbox entry carries the flag.
type RBACRole struct {
	Name string `json:"name"`
	// SetMailboxParameters counts its Set-Mailbox entry's parameters (0
	// when unknown): a custom role only ever holds a subset of its parent's.
	SetMailboxParameters int `json:"set_mailbox_parameters"`
	// Principals counts the toggle principals reaching it.
	Principals int `json:"principals"`
}

// Principal is one row of EXR-GOV-001's toggle_principals inventory.
type Principal struct {
	Principal   string `json:"principal"`
	DisplayName string `json:"display_name"`
	Type        string `json:"type"`
	Role        string `json:"role"`
	Via         string `json:"via"`
	Scope       string `json:"scope"`
	Source      string `json:"source"`
}

const rbacScript = "rbac/toggle-role.ps1"

func buildRBAC(rep *evaluate.Report, entries []RoleEntry, o RBACOptions) RBAC {
	r := RBAC{RoleName: o.RoleName, Group: o.Group, Roles: []RBACRole{}, Principals: []Principal{}, Script: rbacScript}
	roles := map[string]*RBACRole{}
	role := func(name string) *RBACRole {
		k := strings.ToLower(name)
		if roles[k] == nil {
			roles[k] = &RBACRole{Name: name}
		}
		return roles[k]
	}
	var from []string
	if entries != nil {
		from = append(from, "the snapshot's role entries")
		for _, e := range entries {
			if strings.EqualFold(e.Cmdlet, "Set-Mailbox") && containsFold(e.Parameters, FlagParameter) {
				role(e.Role).SetMailboxParameters = len(e.Parameters)
			}
		}
	}
	if rows, ok := rep.Inventory.Sections[togglePrincipalsSection]; ok {
		from = append(from, "EXR-GOV-001's toggle principals")
		for _, row := range rows {
			p := Principal{
				Principal: cellText(row["principal"]), DisplayName: cellText(row["display_name"]), Type: cellText(row["type"]),
				Role: cellText(row["role"]), Via: cellText(row["via"]), Scope: cellText(row["scope"]), Source: cellText(row["source"]),
			}
			r.Principals = append(r.Principals, p)
			if p.Role != "" && (p.Source == "" || strings.EqualFold(p.Source, "exo")) {
				role(p.Role).Principals++
			}
		}
	}
	slices.SortFunc(r.Principals, func(a, b Principal) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Role, b.Role), cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.Via, b.Via))
	})
	for _, v := range roles {
		r.Roles = append(r.Roles, *v)
	}
	slices.SortFunc(r.Roles, func(a, b RBACRole) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	if len(from) == 0 {
		r.DataFrom = "nothing: the input has neither role entries nor EXR-GOV-001 data; the script finds the roles at run time"
	} else {
		r.DataFrom = strings.Join(from, " and ")
	}

	switch {
	case o.ParentRole != "":
		r.ParentRole, r.ParentFrom = o.ParentRole, "configured"
	default:
		var widest *RBACRole
		for i := range r.Roles {
			if c := &r.Roles[i]; c.SetMailboxParameters > 0 && (widest == nil || c.SetMailboxParameters > widest.SetMailboxParameters) {
				widest = c
			}
		}
		if widest != nil {
			r.ParentRole = widest.Name
			r.ParentFrom = fmt.Sprintf("the role whose Set-Mailbox entry has the most parameters (%d): a custom role only holds a subset of its parent's; the script checks it is built-in", widest.SetMailboxParameters)
		} else {
			r.ParentFrom = "found at run time: the one built-in role carrying the parameter"
		}
	}
	return r
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}

// cellText renders an inventory value (string, number, list) as text.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, cellText(e))
		}
		return strings.Join(parts, " → ")
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}
