// Package testcert makes the self-signed app certificate tests use for
// app-only sign-in: one RSA key and certificate, written as PEM (certificate
// plus PKCS#8 key) and as a password-protected PFX, the two forms exoready
// accepts.
package testcert
