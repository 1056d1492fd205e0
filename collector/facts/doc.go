// Package facts reads the operator facts file (--facts): what no API
// exposes, such as the Entra Connect Sync version, written by hand or by
// scripts/Get-EntraConnectFacts.ps1. The YAML shape is PRODUCT.md's; unknown
// keys and malformed versions are errors naming their line.
package facts
