package exo

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/exoready/exoready/internal/testcert"
)

const (
	testTenant   = "7d1c9a3e-52b4-4f0e-9a61-2c8e5b0f4d17"
	testClientID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	testSP       = "9c3e7a1b-0006-4e5f-8a9b-0c1d2e3f4a01"
)

// fault is one scripted bad answer, served before the real one.
type fault struct {
	status     int
	retryAfter string
	body       string
	truncate   bool // 200 with a body cut in half (connection closed)
	expire     bool // 401 and the presented token is refused from now on
}

// fakeCloud is a local Entra token endpoint, EXO REST backend and Graph,
// each on its own TLS server, replaying fixtures/exo/rest.
type fakeCloud struct {
	t                     *testing.T
	authority, exo, graph *httptest.Server
	client                *http.Client
	certFile, pfxFile     string
	pfxPassword           string
	pub                   *rsa.PublicKey
	mu                    sync.Mutex
	issued                map[string]string // token → scope
	tokenRequests         []string          // scopes asked for, in order
	refused               map[string]bool
	faults                map[string][]fault // "Get-Mailbox#2", "graph:/roleManagement/directory/roleAssignments#2"
	calls                 map[string]int
	nextLinkOverride      map[string]string // key → nextLink to send instead
	authHeadersSeen       []string
	anchorsSeen, prefSeen []string
	sleeps                []time.Duration
}

func newFakeCloud(t *testing.T) *fakeCloud {
	t.Helper()
	fc := &fakeCloud{t: t, issued: map[string]string{}, refused: map[string]bool{}, faults: map[string][]fault{},
		calls: map[string]int{}, nextLinkOverride: map[string]string{}, pfxPassword: "s3cret Pässword"}
	fc.makeCert()
	fc.authority = httptest.NewTLSServer(http.HandlerFunc(fc.serveAuthority))
	fc.exo = httptest.NewTLSServer(http.HandlerFunc(fc.serveEXO))
	fc.graph = httptest.NewTLSServer(http.HandlerFunc(fc.serveGraph))
	t.Cleanup(func() { fc.authority.Close(); fc.exo.Close(); fc.graph.Close() })
	pool := x509.NewCertPool()
	for _, s := range []*httptest.Server{fc.authority, fc.exo, fc.graph} {
		pool.AddCert(s.Certificate())
	}
	fc.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return fc
}

// makeCert writes the app's certificate as PEM and as password-protected PFX.
func (fc *fakeCloud) makeCert() {
	app := testcert.Write(fc.t, fc.t.TempDir(), "exoready-app", fc.pfxPassword)
	fc.certFile, fc.pfxFile, fc.pub = app.PEMFile, app.PFXFile, &app.Key.PublicKey
}

func (fc *fakeCloud) options() LiveOptions {
	return LiveOptions{
		Tenant: testTenant, ClientID: testClientID, CertFile: fc.certFile,
		EXOBaseURL: fc.exo.URL, GraphBaseURL: fc.graph.URL, AuthorityHost: fc.authority.URL,
		HTTPClient: fc.client,
		Retry:      RetryPolicy{Budget: time.Hour},
		sleep: func(ctx context.Context, d time.Duration) error {
			fc.mu.Lock()
			fc.sleeps = append(fc.sleeps, d)
			fc.mu.Unlock()
			return ctx.Err()
		},
		jitter: func() float64 { return 0.5 },
	}
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
}

// serveAuthority is the OpenID configuration and token endpoint MSAL uses
// when instance discovery is off.
func (fc *fakeCloud) serveAuthority(w http.ResponseWriter, r *http.Request) {
	base := fc.authority.URL + "/" + testTenant
	switch r.URL.Path {
	case "/" + testTenant + "/v2.0/.well-known/openid-configuration":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"issuer":                 base + "/v2.0",
		})
	case "/" + testTenant + "/oauth2/v2.0/token":
		if err := r.ParseForm(); err != nil {
			httpError(w, 400, "invalid_request", err.Error())
			return
		}
		f := r.PostForm
		if f.Get("grant_type") != "client_credentials" || f.Get("client_id") != testClientID ||
			f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			httpError(w, 400, "invalid_request", "not an app-only certificate request: "+f.Encode())
			return
		}
		// The assertion must be signed by the app's certificate key.
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(f.Get("client_assertion"), claims, func(*jwt.Token) (any, error) { return fc.pub, nil },
			jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithAudience(base+"/oauth2/v2.0/token"))
		if err != nil || claims["iss"] != testClientID || claims["sub"] != testClientID {
			httpError(w, 401, "invalid_client", fmt.Sprintf("AADSTS700027: client assertion failed: %v", err))
			return
		}
		// MSAL adds "openid offline_access profile" to the resource's scope.
		scope := ""
		for _, s := range strings.Fields(f.Get("scope")) {
			if strings.HasSuffix(s, "/.default") {
				scope = s
			}
		}
		if scope != fc.exoScope() && scope != fc.graphScope() {
			httpError(w, 400, "invalid_scope", "AADSTS70011: unknown scope "+scope)
			return
		}
		fc.mu.Lock()
		tok := fmt.Sprintf("tok-%d-%x", len(fc.issued)+1, time.Now().UnixNano())
		fc.issued[tok] = scope
		fc.tokenRequests = append(fc.tokenRequests, scope)
		fc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
	default:
		httpError(w, 404, "not_found", r.URL.Path)
	}
}

func (fc *fakeCloud) exoScope() string   { return fc.exo.URL + "/.default" }
func (fc *fakeCloud) graphScope() string { return fc.graph.URL + "/.default" }

// authorize checks the bearer token against the scope of the API.
func (fc *fakeCloud) authorize(w http.ResponseWriter, r *http.Request, scope string) bool {
	h := r.Header.Get("Authorization")
	tok := strings.TrimPrefix(h, "Bearer ")
	fc.mu.Lock()
	fc.authHeadersSeen = append(fc.authHeadersSeen, h)
	ok := strings.HasPrefix(h, "Bearer ") && fc.issued[tok] == scope && !fc.refused[tok]
	fc.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		httpError(w, 401, "InvalidAuthenticationToken", "Access token validation failure.")
	}
	return ok
}

// fault serves the next scripted fault for key, if any.
func (fc *fakeCloud) fault(w http.ResponseWriter, r *http.Request, key string, full []byte) bool {
	fc.mu.Lock()
	fc.calls[key]++
	n := fc.calls[key]
	var f *fault
	if n <= len(fc.faults[key]) {
		f = &fc.faults[key][n-1]
	}
	if f != nil && f.expire {
		fc.refused[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] = true
	}
	fc.mu.Unlock()
	switch {
	case f == nil:
		return false
	case f.truncate:
		hj, _ := w.(http.Hijacker)
		conn, buf, err := hj.Hijack()
		if err != nil {
			fc.t.Error(err)
			return true
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(full))
		buf.Write(full[:len(full)/2])
		buf.Flush()
		conn.Close()
	default:
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		fmt.Fprint(w, f.body)
	}
	return true
}

// replay serves a fixture file with {{base}} replaced by the server's URL.
func (fc *fakeCloud) replay(w http.ResponseWriter, r *http.Request, key, file, base string) {
	data, err := os.ReadFile(filepath.Join(fixture("rest"), file))
	if err != nil {
		httpError(w, 404, "NotFound", "no fixture "+file)
		return
	}
	data = []byte(strings.ReplaceAll(string(data), "{{base}}", base))
	fc.mu.Lock()
	override, ok := fc.nextLinkOverride[key]
	fc.mu.Unlock()
	if ok {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		doc["@odata.nextLink"] = override
		data, _ = json.Marshal(doc)
	}
	if fc.fault(w, r, key, data) {
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Write(data)
}

func (fc *fakeCloud) serveEXO(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/adminapi/beta/"+testTenant+"/InvokeCommand" {
		httpError(w, 404, "NotFound", r.Method+" "+r.URL.Path)
		return
	}
	if !fc.authorize(w, r, fc.exoScope()) {
		return
	}
	fc.mu.Lock()
	fc.anchorsSeen = append(fc.anchorsSeen, r.Header.Get("X-AnchorMailbox"))
	fc.prefSeen = append(fc.prefSeen, r.Header.Get("Prefer"))
	fc.mu.Unlock()
	var body struct {
		CmdletInput struct {
			CmdletName string
			Parameters map[string]any
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.CmdletInput.CmdletName == "" {
		httpError(w, 400, "BadRequest", "no CmdletInput")
		return
	}
	name := body.CmdletInput.CmdletName
	if name == "Get-Mailbox" && body.CmdletInput.Parameters["ResultSize"] != "Unlimited" {
		httpError(w, 400, "BadRequest", "Get-Mailbox without ResultSize Unlimited")
		return
	}
	page := 1
	if s := r.URL.Query().Get("$skiptoken"); s != "" {
		fmt.Sscanf(s, "mbx%d", &page)
	}
	key := fmt.Sprintf("%s#%d", name, page)
	file := name + ".json"
	if name == "Get-Mailbox" {
		file = fmt.Sprintf("%s.page%d.json", name, page)
	}
	fc.replay(w, r, key, file, fc.exo.URL)
}

func (fc *fakeCloud) serveGraph(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		httpError(w, 405, "MethodNotAllowed", r.Method)
		return
	}
	if !fc.authorize(w, r, fc.graphScope()) {
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/v1.0")
	q := r.URL.Query()
	jobs := "/servicePrincipals/" + testSP + "/synchronization/jobs"
	var file string
	page := 1
	switch {
	case p == "/organization":
		file = "graph/organization.json"
	case p == "/roleManagement/directory/roleAssignments" && q.Get("$expand") == "principal":
		file = "graph/roleAssignments.page1.json"
		if q.Get("$skiptoken") != "" {
			file, page = "graph/roleAssignments.page2.json", 2
		}
	case p == "/directory/onPremisesSynchronization":
		file = "graph/onPremisesSynchronization.json"
	case p == "/servicePrincipals" && q.Get("$filter") == DefaultSyncServicePrincipalFilter:
		file = "graph/servicePrincipals.json"
	case p == jobs:
		file = "graph/synchronizationJobs.json"
	case strings.HasPrefix(p, jobs+"/") && strings.HasSuffix(p, "/schema"):
		file = "graph/schema.json"
	default:
		httpError(w, 404, "Request_ResourceNotFound", "Resource not found: "+r.URL.String())
		return
	}
	fc.replay(w, r, fmt.Sprintf("graph:%s#%d", p, page), file, fc.graph.URL)
}
