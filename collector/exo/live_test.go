package exo

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestLiveMatchesExport collects the fixture tenant from the fake cloud
// through throttling, a server error, a truncated body, an expired token and
// an HTTP-date Retry-After, and expects exactly the sections the PowerShell 7
// export gives.
func TestLiveMatchesExport(t *testing.T) {
	fc := newFakeCloud(t)
	fc.faults["Get-Mailbox#2"] = []fault{
		{status: 429, retryAfter: "7", body: `{"error":{"code":"TooManyRequests","message":"Rate limit exceeded."}}`},
		{status: 500, body: `{"error":{"code":"InternalServerError","message":"An internal server error occurred."}}`},
		{truncate: true},
	}
	fc.faults["Get-Recipient#1"] = []fault{{status: 401, expire: true,
		body: `{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}`}}
	fc.faults["graph:/roleManagement/directory/roleAssignments#2"] = []fault{{status: 503,
		retryAfter: time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat), body: "Service Unavailable"}}
	var logs bytes.Buffer
	o := fc.options()
	o.Logger = zerolog.New(&logs)
	got, err := CollectLive(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := readExport(t, fixture("ps7"))
	if !reflect.DeepEqual(got.EXO, want.EXO) {
		t.Errorf("exo differs from the export:\nrest:   %s\nexport: %s", sectionsJSON(t, got), sectionsJSON(t, want))
	}
	if !reflect.DeepEqual(got.Entra, want.Entra) {
		t.Errorf("entra differs from the export:\nrest:   %s\nexport: %s", sectionsJSON(t, got), sectionsJSON(t, want))
	}
	if !got.EXOStatus.Complete || !got.EntraStatus.Complete || got.EXOStatus.Method != "rest" ||
		got.EXOStatus.Origin != fc.exo.URL+"/adminapi/beta/"+testTenant || got.EntraStatus.Origin != fc.graph.URL+"/v1.0" {
		t.Errorf("status exo %+v entra %+v", got.EXOStatus, got.EntraStatus)
	}
	if len(fc.sleeps) != 4 || fc.sleeps[0] != 7*time.Second || fc.sleeps[1] != 1500*time.Millisecond || fc.sleeps[2] != 3*time.Second ||
		fc.sleeps[3] < time.Second || fc.sleeps[3] > 3*time.Second {
		t.Errorf("waits = %v, want [7s (Retry-After) 1.5s 3s (back-off) 1-3s (Retry-After date)]", fc.sleeps)
	}
	wantScopes := []string{fc.exoScope(), fc.exoScope(), fc.graphScope()}
	if !reflect.DeepEqual(fc.tokenRequests, wantScopes) {
		t.Errorf("token requests = %v, want %v (one re-acquisition after the 401)", fc.tokenRequests, wantScopes)
	}
	for i, a := range fc.anchorsSeen {
		if a != "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"+testTenant || fc.prefSeen[i] != "odata.maxpagesize=1000" {
			t.Fatalf("request %d: X-AnchorMailbox %q, Prefer %q", i, a, fc.prefSeen[i])
		}
	}
	log := logs.String()
	for _, want := range []string{`"message":"retrying"`, `"status":429`, `"message":"service warning"`, "token refused (401)"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	for _, secret := range []string{"tok-", "Bearer", "PRIVATE KEY"} {
		if strings.Contains(log, secret) {
			t.Errorf("log carries %q:\n%s", secret, log)
		}
	}
}

func TestLivePFXCertificate(t *testing.T) {
	fc := newFakeCloud(t)
	o := fc.options()
	o.CertFile, o.CertPassword = fc.pfxFile, fc.pfxPassword
	r, err := CollectLive(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.EXO.Mailboxes) != 6 {
		t.Errorf("%d mailboxes", len(r.EXO.Mailboxes))
	}
	o.CertPassword = "wrong"
	if _, err := CollectLive(t.Context(), o); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "wrong PFX password") {
		t.Errorf("wrong password: %v", err)
	}
}

// TestLiveFailures: what cannot be recovered fails loudly; what starves one
// dataset is a SourceError for its path only.
func TestLiveFailures(t *testing.T) {
	serverError := fault{status: 500, body: `{"error":{"code":"InternalServerError","message":"boom"}}`}
	tests := []struct {
		name    string
		setup   func(fc *fakeCloud, o *LiveOptions)
		wantErr []string // a failed collection, its message parts
		path    string   // else: the path with a SourceError
		wantMsg []string // its message parts
		sleeps  []time.Duration
	}{
		{
			name: "server keeps failing",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.faults["Get-Mailbox#1"] = []fault{serverError, serverError, serverError, serverError, serverError, serverError}
			},
			wantErr: []string{"cannot collect Exchange Online", "Get-Mailbox: HTTP 500: InternalServerError: boom", "gave up after 6 attempts"},
			sleeps:  []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second, 12 * time.Second},
		},
		{
			name: "back-off capped",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				o.Retry = RetryPolicy{MaxAttempts: 5, BaseDelay: 10 * time.Second, MaxDelay: 20 * time.Second, Budget: time.Hour}
				fc.faults["Get-Mailbox#1"] = []fault{serverError, serverError, serverError, serverError}
			},
			path:   "",
			sleeps: []time.Duration{7500 * time.Millisecond, 15 * time.Second, 15 * time.Second, 15 * time.Second},
		},
		{
			name: "throttled beyond the budget",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				o.Retry.Budget = time.Minute
				fc.faults["Get-Mailbox#1"] = []fault{{status: 429, retryAfter: "3600", body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`}}
			},
			wantErr: []string{"HTTP 429", "waiting 1h0m0s more would exceed the retry budget of 1m0s"},
		},
		{
			name: "token refused twice",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.faults["Get-Mailbox#1"] = []fault{{status: 401, expire: true, body: "{}"}, {status: 401, expire: true, body: "{}"}}
			},
			wantErr: []string{"HTTP 401", "refused again with a newly acquired token"},
		},
		{
			name: "certificate the authority rejects",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				other := newFakeCloud(t)
				o.CertFile = other.certFile
			},
			wantErr: []string{"acquire a token for", "AADSTS700027"},
		},
		{
			name: "next link to another host",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.nextLinkOverride["Get-Mailbox#1"] = "https://attacker.example/adminapi/beta/x/InvokeCommand?$skiptoken=2"
			},
			wantErr: []string{"refusing to follow @odata.nextLink to https://attacker.example"},
		},
		{
			name: "next link loops",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.nextLinkOverride["Get-Mailbox#2"] = fc.exo.URL + "/adminapi/beta/" + testTenant + "/InvokeCommand?$skiptoken=mbx2"
			},
			wantErr: []string{"next-page link already followed"},
		},
		{
			name: "error object from a cmdlet",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.faults["Get-IntraOrganizationConnector#1"] = []fault{{status: 400, body: `{"error":{"code":"BadRequest","message":"Ex6F9304|Microsoft.Exchange.Management.Tasks.TaskException|The operation couldn't be performed.","details":[{"code":"Context","message":"The caller lacks the role Federated Sharing."}]}}`}}
			},
			path:    "exo.intra_organization_connectors",
			wantMsg: []string{"Get-IntraOrganizationConnector: HTTP 400: BadRequest:", "The caller lacks the role Federated Sharing."},
		},
		{
			name: "error object in a 200 body",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.faults["graph:/organization#1"] = []fault{{status: 200, body: `{"error":{"code":"UnknownError","message":"partial failure"}}`}}
			},
			path:    "entra.organization",
			wantMsg: []string{"Graph /organization: the service answered with an error: UnknownError: partial failure"},
		},
		{
			name: "forbidden",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				fc.faults["graph:/directory/onPremisesSynchronization#1"] = []fault{{status: 403,
					body: `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}`}}
			},
			path:    "entra.on_premises_synchronization",
			wantMsg: []string{"HTTP 403: Authorization_RequestDenied: Insufficient privileges", "docs/exo-collection.md"},
		},
		{
			name: "sync job schema unreadable",
			setup: func(fc *fakeCloud, o *LiveOptions) {
				key := "graph:/servicePrincipals/" + testSP + "/synchronization/jobs/Entra2ADExchangeOnlineAttributeWriteback.4f1e2d3c4b5a69788796a5b4c3d2e1f0.7d1c9a3e-52b4-4f0e-9a61-2c8e5b0f4d17/schema#1"
				fc.faults[key] = []fault{{status: 404, body: `{"error":{"code":"Request_ResourceNotFound","message":"gone"}}`}}
			},
			path:    "entra.sync_jobs",
			wantMsg: []string{"Graph synchronization jobs: Graph schema of job Entra2ADExchangeOnlineAttributeWriteback", "HTTP 404"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeCloud(t)
			o := fc.options()
			tt.setup(fc, &o)
			r, err := CollectLive(t.Context(), o)
			if tt.sleeps != nil && !reflect.DeepEqual(fc.sleeps, tt.sleeps) {
				t.Errorf("waits = %v, want %v", fc.sleeps, tt.sleeps)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, ErrCollect) {
					t.Fatalf("error = %v, want ErrCollect", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.path == "" {
				if !r.EXOStatus.Complete || !r.EntraStatus.Complete {
					t.Errorf("incomplete: %+v %+v", r.EXOStatus.Errors, r.EntraStatus.Errors)
				}
				return
			}
			msg := sourceError(t, *r.status(strings.HasPrefix(tt.path, "entra")), tt.path)
			for _, w := range tt.wantMsg {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if n := len(r.EXOStatus.Errors) + len(r.EntraStatus.Errors); n != 1 {
				t.Errorf("%d source errors, want only %s's", n, tt.path)
			}
			if len(r.EXO.Mailboxes) != 6 {
				t.Error("the other datasets must still be collected")
			}
		})
	}
}

func TestLiveCancel(t *testing.T) {
	fc := newFakeCloud(t)
	fc.faults["Get-Mailbox#1"] = []fault{{status: 503, retryAfter: "30"}}
	ctx, cancel := context.WithCancel(t.Context())
	o := fc.options()
	o.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return sleepContext(ctx, d)
	}
	if _, err := CollectLive(ctx, o); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestLiveOptionsValidated(t *testing.T) {
	tests := []struct {
		name string
		o    LiveOptions
		want string
	}{
		{"no tenant", LiveOptions{ClientID: "x", CertFile: "x"}, "--exo-tenant"},
		{"plain http", LiveOptions{Tenant: "t", ClientID: "x", CertFile: "x", EXOBaseURL: "http://outlook.office365.com"}, "--exo-base-url"},
		{"no cert", LiveOptions{Tenant: "t", ClientID: "x"}, "--cert-file"},
		{"missing cert", LiveOptions{Tenant: "t", ClientID: "x", CertFile: "/nonexistent.pem"}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CollectLive(t.Context(), tt.o)
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want ErrInput mentioning %s", err, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 7, 21, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", -1}, {"0", 0}, {"  12 ", 12 * time.Second}, {"-5", 0}, {"99999999999", 24 * time.Hour},
		{"Tue, 21 Jul 2026 06:00:30 GMT", 30 * time.Second}, {"Tue, 21 Jul 2026 05:00:00 GMT", 0}, {"soon", -1},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}
