package main

import (
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/exoready/exoready/internal/testcert"
)

// drillTenant is a local Entra token endpoint, Exchange Online REST backend
// and Microsoft Graph on one TLS server, for runs of the built binary
// (which trusts it through SSL_CERT_FILE). It speaks the wire format the
// live collector reads, with a tenant of one mailbox.
type drillTenant struct {
	t       *testing.T
	srv     *httptest.Server
	caFile  string // PEM of the server certificate
	token   string // the access token it issues
	pemFile string // the app's certificate and key
	pfxFile string // the same, password protected
	pfxPass string

	mu sync.Mutex
	// throttle makes Get-Mailbox answer 429 with Retry-After: 3600.
	throttle bool
	// onRequest runs at every request (before the answer).
	onRequest func(*http.Request)
	authSeen  []string
	requests  int
}

const (
	drillTenantID = "5d1a7c3e-0000-4000-8000-00000000d411"
	drillClientID = "7f3e9a1b-0000-4000-8000-00000000d412"
)

func newDrillTenant(t *testing.T) *drillTenant {
	t.Helper()
	dt := &drillTenant{t: t, token: "drill-token-" + randomHex(t, 16), pfxPass: "pfx-" + randomHex(t, 12)}
	dt.srv = httptest.NewTLSServer(http.HandlerFunc(dt.serve))
	t.Cleanup(dt.srv.Close)
	dir := t.TempDir()
	dt.caFile = filepath.Join(dir, "ca.pem")
	writeFileT(t, dt.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: dt.srv.Certificate().Raw}))

	app := testcert.Write(t, dir, "exoready-drill", dt.pfxPass)
	dt.pemFile, dt.pfxFile = app.PEMFile, app.PFXFile
	return dt
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

// args are the live-collection flags that point exoready at the server.
func (dt *drillTenant) args() []string {
	return []string{"--exo-tenant", drillTenantID, "--client-id", drillClientID,
		"--exo-base-url", dt.srv.URL, "--graph-base-url", dt.srv.URL, "--authority-host", dt.srv.URL}
}

func (dt *drillTenant) serve(w http.ResponseWriter, r *http.Request) {
	dt.mu.Lock()
	dt.requests++
	dt.authSeen = append(dt.authSeen, r.Header.Get("Authorization"))
	hook, throttle := dt.onRequest, dt.throttle
	dt.mu.Unlock()
	if hook != nil {
		hook(r)
	}
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	base := dt.srv.URL + "/" + drillTenantID
	switch p := r.URL.Path; {
	case p == "/"+drillTenantID+"/v2.0/.well-known/openid-configuration":
		answer(200, map[string]string{"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"token_endpoint": base + "/oauth2/v2.0/token", "issuer": base + "/v2.0"})
	case p == "/"+drillTenantID+"/oauth2/v2.0/token":
		r.ParseForm()
		if r.PostForm.Get("client_assertion") == "" {
			answer(400, map[string]any{"error": "invalid_client", "error_description": "no client assertion"})
			return
		}
		answer(200, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": dt.token})
	case r.Header.Get("Authorization") != "Bearer "+dt.token:
		answer(401, map[string]any{"error": map[string]string{"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}})
	case p == "/adminapi/beta/"+drillTenantID+"/InvokeCommand":
		var body struct{ CmdletInput struct{ CmdletName string } }
		json.NewDecoder(r.Body).Decode(&body)
		switch body.CmdletInput.CmdletName {
		case "Get-Mailbox":
			if throttle {
				w.Header().Set("Retry-After", "3600")
				answer(429, map[string]any{"error": map[string]string{"code": "TooManyRequests", "message": "Rate limit exceeded."}})
				return
			}
			answer(200, map[string]any{"value": []map[string]any{{
				"Guid": "0d000000-0000-4000-8000-000000000001", "ExternalDirectoryObjectId": "0d000000-0000-4000-8000-0000000000e1",
				"ExchangeGuid": "0d000000-0000-4000-8000-0000000000e2", "Identity": "dana", "Name": "dana", "DisplayName": "Dana Drill",
				"Alias": "dana", "UserPrincipalName": "dana@drill.example", "PrimarySmtpAddress": "dana@drill.example",
				"EmailAddresses": []string{"SMTP:dana@drill.example"}, "RecipientTypeDetails": "UserMailbox", "IsDirSynced": true,
				"IsExchangeCloudManaged": false, "WhenChangedUTC": "2026-11-01T08:00:00Z",
			}}})
		default:
			answer(200, map[string]any{"value": []any{}})
		}
	case strings.HasPrefix(p, "/v1.0/organization"):
		answer(200, map[string]any{"value": []map[string]any{{"id": drillTenantID, "displayName": "Drill Tenant", "onPremisesSyncEnabled": true,
			"verifiedDomains": []map[string]any{{"name": "drill.example", "isDefault": true, "isInitial": false}}}}})
	case strings.HasPrefix(p, "/v1.0/"):
		answer(200, map[string]any{"value": []any{}})
	default:
		answer(404, map[string]any{"error": map[string]string{"code": "NotFound", "message": p}})
	}
}

// buildExoready builds the command into the test's temporary folder, for
// drills that need a real process (signals, rlimits, /proc).
func buildExoready(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "exoready")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// childEnv is a clean environment for the binary: no EXOREADY_ variable
// of the test's own environment leaks in.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EXOREADY_") && !strings.HasPrefix(kv, "SSL_CERT_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
