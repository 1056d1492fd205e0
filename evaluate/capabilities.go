package evaluate

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// deniedBuiltins are the OPA built-ins policies may not call. The input
// holds every employee's name and address: a policy (a downloaded bundle
// above all) that could reach the network could send it anywhere, and a
// verdict that depends on the network or the clock is not reproducible
// from the saved snapshot. Rules judge time against input.collected_at.
var deniedBuiltins = []string{
	"http.send", "net.lookup_ip_addr", "opa.runtime", "time.now_ns", "rand.intn", "uuid.rfc4122",
	"crypto.x509.parse_and_verify_certificates", "crypto.x509.parse_and_verify_certificates_with_options",
}

// policyCapabilities are OPA's built-ins of this version without the
// denied ones: a policy that calls one fails to compile.
func policyCapabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(slices.Clone(c.Builtins), func(b *ast.Builtin) bool { return slices.Contains(deniedBuiltins, b.Name) })
	return c
}

// capabilityHint explains a compile error that names a denied built-in.
func capabilityHint(errs ast.Errors) string {
	for _, e := range errs {
		for _, b := range deniedBuiltins {
			if strings.Contains(e.Message, "undefined function "+b) {
				return " (exoready policies may not call " + strings.Join(deniedBuiltins, ", ") +
					": a verdict must come from the snapshot alone, and the snapshot must not leave the machine; judge time against input.collected_at)"
			}
		}
	}
	return ""
}
