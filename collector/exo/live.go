package exo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/internal/tty"
)

// Default endpoints (Microsoft's global cloud). Sovereign clouds use other
// hosts: set LiveOptions' base URLs and authority host.
const (
	DefaultEXOBaseURL    = "https://outlook.office365.com"
	DefaultGraphBaseURL  = "https://graph.microsoft.com"
	DefaultAuthorityHost = "https://login.microsoftonline.com"
	// DefaultSyncServicePrincipalFilter selects the service principals of
	// Entra Cloud Sync configurations: instances of the AD2AAD provisioning
	// application template (entra-docs, "configure cloud sync using MS Graph
	// API"). Override it when a tenant names them otherwise.
	DefaultSyncServicePrincipalFilter = "applicationTemplateId eq '1a4721b3-e57f-4451-ae87-ef078703ec94'"
)

// anchorMailbox routes app-only InvokeCommand calls (DOMAIN.md §8).
const anchorMailbox = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"

// ErrCollect marks a live collection that could not produce a trustworthy
// exo section (credentials refused, Get-Mailbox unreadable).
var ErrCollect = errors.New("cannot collect Exchange Online")

// LiveOptions configure CollectLive.
type LiveOptions struct {
	// Tenant is the tenant id or its initial domain (contoso.onmicrosoft.com).
	Tenant   string
	ClientID string
	// CertFile is a PEM (certificate + unencrypted key) or PFX file;
	// CertPassword its password (see CertPassword).
	CertFile     string
	CertPassword string
	// Base URLs and authority host; empty means Microsoft's global cloud.
	EXOBaseURL    string
	GraphBaseURL  string
	AuthorityHost string
	// SyncServicePrincipalFilter is the Graph $filter that finds the Cloud
	// Sync service principals whose jobs are read; empty means the default.
	SyncServicePrincipalFilter string
	// PageSize is asked of EXO with Prefer: odata.maxpagesize (default 1000).
	PageSize int
	Retry    RetryPolicy
	// HTTPClient is used for every request, token requests included; nil
	// means a client with the system's trust store.
	HTTPClient *http.Client
	// Progress receives a one-line progress display; it stays silent unless
	// it is a terminal.
	Progress io.Writer
	Logger   zerolog.Logger

	sleep  func(context.Context, time.Duration) error // tests: records waits instead
	jitter func() float64                             // tests: fixed jitter
}

// live is one live collection run.
type live struct {
	ctx        context.Context
	c          *restClient
	tenant     string
	exoBase    *url.URL
	graphBase  *url.URL
	exoScope   string
	graphScope string
	pageSize   int
	spFilter   string
	log        zerolog.Logger
	prog       io.Writer
}

// CollectLive reads Exchange Online through the REST backend's
// InvokeCommand and Entra through Microsoft Graph, with app-only
// certificate authentication, and normalises both exactly as ReadExport.
func CollectLive(ctx context.Context, o LiveOptions) (*Result, error) {
	l, err := newLive(ctx, o)
	if err != nil {
		return nil, err
	}
	col := newCollection("rest", l.exoBase.String()+"/adminapi/beta/"+l.tenant, l.log)
	col.hardErr = ErrCollect
	col.entraSt.Origin = l.graphBase.String() + "/v1.0"
	for i := range datasets {
		ds := &datasets[i]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var feed func(func(*rawObject) error) error
		src := ds.name
		switch {
		case !ds.entra:
			feed = l.invokeFeed(ds)
		case ds.graph != "":
			feed = l.graphFeed(ds.graph)
			src = "Graph " + strings.SplitN(ds.graph, "?", 2)[0]
		default:
			feed = l.syncJobsFeed
			src = "Graph synchronization jobs"
		}
		err := col.consume(ds, src, feed)
		l.progressDone()
		if err != nil {
			if !errors.Is(err, ErrCollect) && ctx.Err() == nil {
				err = fmt.Errorf("%w: %w", ErrCollect, err)
			}
			return nil, err
		}
	}
	return col.result(), nil
}

func newLive(ctx context.Context, o LiveOptions) (*live, error) {
	if o.Tenant == "" || strings.ContainsAny(o.Tenant, "/?#") {
		return nil, fmt.Errorf("%w: --exo-tenant needs the tenant id or initial domain (contoso.onmicrosoft.com)", ErrInput)
	}
	exoBase, err := baseURL("--exo-base-url", o.EXOBaseURL, DefaultEXOBaseURL)
	if err != nil {
		return nil, err
	}
	graphBase, err := baseURL("--graph-base-url", o.GraphBaseURL, DefaultGraphBaseURL)
	if err != nil {
		return nil, err
	}
	authority, err := baseURL("--authority-host", o.AuthorityHost, DefaultAuthorityHost)
	if err != nil {
		return nil, err
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if o.ClientID == "" || o.CertFile == "" {
		return nil, fmt.Errorf("%w: live collection needs --client-id and --cert-file (app-only certificate authentication, see docs/exo-collection.md)", ErrInput)
	}
	certs, key, err := LoadCertificate(o.CertFile, o.CertPassword)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	tokens, err := newMSALTokens(authority.String(), o.Tenant, o.ClientID, certs, key, hc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	sleep, jitter := o.sleep, o.jitter
	if sleep == nil {
		sleep = sleepContext
	}
	if jitter == nil {
		jitter = defaultJitter
	}
	log := o.Logger.With().Str("component", "exo").Logger()
	l := &live{
		ctx:        ctx,
		tenant:     o.Tenant,
		exoBase:    exoBase,
		graphBase:  graphBase,
		exoScope:   exoBase.Scheme + "://" + exoBase.Host + "/.default",
		graphScope: graphBase.Scheme + "://" + graphBase.Host + "/.default",
		pageSize:   o.PageSize,
		spFilter:   o.SyncServicePrincipalFilter,
		log:        log,
		prog:       terminalOnly(o.Progress),
		c: &restClient{http: hc, tokens: tokens, policy: o.Retry.withDefaults(), sleep: sleep,
			now: time.Now, jitter: jitter, log: log},
	}
	if l.pageSize <= 0 {
		l.pageSize = 1000
	}
	if l.spFilter == "" {
		l.spFilter = DefaultSyncServicePrincipalFilter
	}
	return l, nil
}

// baseURL validates an endpoint: https only, so tokens never travel in clear.
func baseURL(flag, v, def string) (*url.URL, error) {
	if v == "" {
		v = def
	}
	u, err := url.Parse(strings.TrimRight(v, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("%w: %s %q must be an https URL like %s", ErrInput, flag, v, def)
	}
	return u, nil
}

// invokeFeed runs one cmdlet through InvokeCommand, following nextLink by
// re-posting the same body.
func (l *live) invokeFeed(ds *dataset) func(func(*rawObject) error) error {
	return func(fn func(*rawObject) error) error {
		body, err := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": ds.name, "Parameters": ds.params}})
		if err != nil {
			return err
		}
		req := request{
			method: http.MethodPost,
			url:    l.exoBase.String() + "/adminapi/beta/" + url.PathEscape(l.tenant) + "/InvokeCommand",
			body:   body,
			scope:  l.exoScope,
			headers: map[string]string{
				"Prefer":          fmt.Sprintf("odata.maxpagesize=%d", l.pageSize),
				"X-AnchorMailbox": anchorMailbox + l.tenant,
			},
		}
		return l.paged(req, ds.name, l.exoBase, fn)
	}
}

// graphFeed reads one Graph collection (or single resource).
func (l *live) graphFeed(path string) func(func(*rawObject) error) error {
	return func(fn func(*rawObject) error) error {
		req := request{method: http.MethodGet, url: l.graphBase.String() + "/v1.0" + path, scope: l.graphScope}
		return l.paged(req, "Graph "+strings.SplitN(path, "?", 2)[0], l.graphBase, fn)
	}
}

// syncJobsFeed reads the synchronization jobs of every Cloud Sync service
// principal, each with the service principal's id and its schema (whose
// attribute mappings show what the job writes).
func (l *live) syncJobsFeed(fn func(*rawObject) error) error {
	q := url.Values{"$filter": {l.spFilter}, "$select": {"id,displayName,applicationTemplateId"}}
	var ids []string
	err := l.paged(request{method: http.MethodGet, url: l.graphBase.String() + "/v1.0/servicePrincipals?" + q.Encode(), scope: l.graphScope},
		"Graph /servicePrincipals", l.graphBase, func(o *rawObject) error {
			if id := newFields("", o).guid("id"); id != "" {
				ids = append(ids, id)
			}
			return nil
		})
	if err != nil {
		return err
	}
	sort.Strings(ids)
	n := 0
	for _, sp := range ids {
		base := l.graphBase.String() + "/v1.0/servicePrincipals/" + url.PathEscape(sp) + "/synchronization/jobs"
		var jobs []*rawObject
		err := l.paged(request{method: http.MethodGet, url: base, scope: l.graphScope}, "Graph synchronization jobs of "+sp, l.graphBase,
			func(o *rawObject) error { jobs = append(jobs, o); return nil })
		if err != nil {
			return err
		}
		for _, job := range jobs {
			id := newFields("", job).str("id")
			var schema []*rawObject
			err := l.paged(request{method: http.MethodGet, url: base + "/" + url.PathEscape(id) + "/schema", scope: l.graphScope},
				"Graph schema of job "+id, l.graphBase, func(o *rawObject) error { schema = append(schema, o); return nil })
			if err != nil {
				return err
			}
			if len(schema) == 1 {
				raw, err := json.Marshal(schema[0].props)
				if err != nil {
					return err
				}
				job.props["schema"] = raw
			}
			spRaw, _ := json.Marshal(sp)
			job.props["servicePrincipalId"] = spRaw
			job.index = n
			n++
			if err := fn(job); err != nil {
				return err
			}
		}
	}
	return nil
}

// paged fetches every page of a request, following @odata.nextLink on the
// same host only: a link elsewhere would receive the bearer token.
func (l *live) paged(req request, label string, base *url.URL, fn func(*rawObject) error) error {
	n := 0
	seen := map[string]bool{req.url: true}
	for page := 1; ; page++ {
		req.what = label
		if page > 1 {
			req.what = fmt.Sprintf("%s page %d", label, page)
		}
		objs, env, err := l.c.page(l.ctx, req)
		if err != nil {
			return err
		}
		for _, w := range env.Warnings {
			l.log.Warn().Str("request", label).Str("warning", w).Msg("service warning")
		}
		for _, o := range objs {
			o.index = n
			n++
			if err := fn(o); err != nil {
				return err
			}
		}
		l.progress(label, page, n)
		if env.NextLink == "" {
			return nil
		}
		next, err := req.resolve(env.NextLink, base)
		if err != nil {
			return fmt.Errorf("%s: %w", req.what, err)
		}
		if seen[next] {
			return fmt.Errorf("%s: the service sent a next-page link already followed: stopping instead of looping", req.what)
		}
		seen[next] = true
		req.url = next
	}
}

// resolve makes a nextLink absolute and checks it stays on base's host.
func (r request) resolve(link string, base *url.URL) (string, error) {
	cur, err := url.Parse(r.url)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("unreadable @odata.nextLink: %w", err)
	}
	u = cur.ResolveReference(u)
	if u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) {
		return "", fmt.Errorf("refusing to follow @odata.nextLink to %s://%s: tokens go only to the configured endpoint %s", u.Scheme, u.Host, base)
	}
	return u.String(), nil
}

// terminalOnly returns w when it is a terminal, else nil.
func terminalOnly(w io.Writer) io.Writer {
	if !tty.IsTerminal(w) {
		return nil
	}
	return w
}

func (l *live) progress(label string, page, n int) {
	if l.prog != nil {
		fmt.Fprintf(l.prog, "\r\033[Kexo: %s: %d objects (page %d)", label, n, page)
	}
}

func (l *live) progressDone() {
	if l.prog != nil {
		fmt.Fprint(l.prog, "\r\033[K")
	}
}
