package exo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// RetryPolicy bounds how hard the live collector insists. Zero fields take
// the defaults of DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts per request, first try included.
	MaxAttempts int
	// Budget is the total time the whole collection may spend waiting
	// between attempts (Retry-After and back-off together).
	Budget time.Duration
	// BaseDelay is the first back-off delay on 5xx and network errors; it
	// doubles per attempt up to MaxDelay, with jitter.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Timeout bounds one attempt, response body included.
	Timeout time.Duration
}

// DefaultRetryPolicy is used for zero fields of LiveOptions.Retry.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts: 6,
	Budget:      10 * time.Minute,
	BaseDelay:   time.Second,
	MaxDelay:    time.Minute,
	Timeout:     2 * time.Minute,
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.MaxAttempts > 0 {
		d.MaxAttempts = p.MaxAttempts
	}
	if p.Budget > 0 {
		d.Budget = p.Budget
	}
	if p.BaseDelay > 0 {
		d.BaseDelay = p.BaseDelay
	}
	if p.MaxDelay > 0 {
		d.MaxDelay = p.MaxDelay
	}
	if p.Timeout > 0 {
		d.Timeout = p.Timeout
	}
	return d
}

// tokenSource gives bearer tokens for a scope; fresh bypasses any cache.
type tokenSource interface {
	Token(ctx context.Context, scope string, fresh bool) (string, error)
}

// restClient sends requests with retries, and never logs tokens or headers.
type restClient struct {
	http   *http.Client
	tokens tokenSource
	policy RetryPolicy
	waited time.Duration // spent from policy.Budget
	sleep  func(context.Context, time.Duration) error
	now    func() time.Time
	jitter func() float64 // in [0, 1)
	log    zerolog.Logger
}

// request is one logical request (all its attempts).
type request struct {
	method  string
	url     string
	body    []byte
	scope   string
	headers map[string]string
	what    string // "Get-Mailbox page 2", for messages
}

// outcome is the result of one attempt.
type outcome struct {
	objs         []*rawObject
	env          envelope
	err          error
	retryable    bool
	retryAfter   time.Duration // < 0: none given
	unauthorized bool
	status       int
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// page fetches one page of objects, retrying on throttling, server errors,
// network errors and truncated bodies, and re-acquiring the token once on
// 401. Objects are returned only when the whole page was read, so a retried
// page never yields an object twice.
func (c *restClient) page(ctx context.Context, req request) ([]*rawObject, envelope, error) {
	fresh := false
	for attempt := 1; ; attempt++ {
		out := c.attempt(ctx, req, fresh)
		if err := ctx.Err(); err != nil {
			return nil, envelope{}, err
		}
		switch {
		case out.err == nil:
			return out.objs, out.env, nil
		case out.unauthorized && !fresh:
			c.log.Info().Str("request", req.what).Msg("token refused (401): acquiring a new one")
			fresh = true
			attempt--
			continue
		case out.unauthorized:
			return nil, envelope{}, &fatalError{fmt.Errorf("%w (refused again with a newly acquired token: check that the app has the API permissions and Entra role of docs/exo-collection.md)", out.err)}
		case !out.retryable:
			return nil, envelope{}, out.err
		}
		if attempt >= c.policy.MaxAttempts {
			return nil, envelope{}, fmt.Errorf("%w (gave up after %d attempts)", out.err, attempt)
		}
		wait := out.retryAfter
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		if c.waited+wait > c.policy.Budget {
			return nil, envelope{}, fmt.Errorf("%w (waiting %s more would exceed the retry budget of %s: run the collection again later)", out.err, wait, c.policy.Budget)
		}
		c.waited += wait
		c.log.Warn().Str("request", req.what).Int("status", out.status).Dur("wait", wait).Int("attempt", attempt).Str("error", out.err.Error()).Msg("retrying")
		if err := c.sleep(ctx, wait); err != nil {
			return nil, envelope{}, err
		}
	}
}

// backoff is the delay before attempt n+1: BaseDelay·2^(n-1), capped at
// MaxDelay, jittered into its upper half.
func (c *restClient) backoff(n int) time.Duration {
	d := c.policy.BaseDelay
	for i := 1; i < n && d < c.policy.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, c.policy.MaxDelay)
	return d/2 + time.Duration(c.jitter()*float64(d/2))
}

func (c *restClient) attempt(ctx context.Context, req request, fresh bool) outcome {
	tok, err := c.tokens.Token(ctx, req.scope, fresh)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{err: ctx.Err()}
		}
		return outcome{err: &fatalError{fmt.Errorf("acquire a token for %s: %w", req.scope, err)}}
	}
	actx, cancel := context.WithTimeout(ctx, c.policy.Timeout)
	defer cancel()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(actx, req.method, req.url, body)
	if err != nil {
		return outcome{err: fmt.Errorf("%s: %w", req.what, err)}
	}
	hreq.Header.Set("Authorization", "Bearer "+tok)
	hreq.Header.Set("Accept", "application/json")
	if req.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	for k, v := range req.headers {
		hreq.Header.Set(k, v)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{err: ctx.Err()}
		}
		// %v, not %w: a per-attempt deadline must not read as the caller's.
		return outcome{err: fmt.Errorf("%s: %v", req.what, transportError(err, c.policy.Timeout)), retryable: true, retryAfter: -1}
	}
	defer resp.Body.Close()
	out := outcome{status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now())}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		objs, env, err := readPage(resp.Body)
		if err != nil {
			if ctx.Err() != nil {
				return outcome{err: ctx.Err()}
			}
			out.err = fmt.Errorf("%s: reading the response: %v", req.what, transportError(err, c.policy.Timeout))
			out.retryable = true
			return out
		}
		if env.Err != nil {
			out.err = fmt.Errorf("%s: the service answered with an error: %s", req.what, env.Err)
			return out
		}
		out.objs, out.env = objs, env
		return out
	case code == http.StatusUnauthorized:
		out.err = fmt.Errorf("%s: HTTP 401: %s", req.what, errorBody(resp.Body))
		out.unauthorized = true
	case code == http.StatusTooManyRequests, code == http.StatusInternalServerError, code == http.StatusBadGateway,
		code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		out.err = fmt.Errorf("%s: HTTP %d: %s", req.what, code, errorBody(resp.Body))
		out.retryable = true
	case code == http.StatusForbidden:
		out.err = fmt.Errorf("%s: HTTP 403: %s (the app lacks a permission or role: see docs/exo-collection.md)", req.what, errorBody(resp.Body))
	default:
		out.err = fmt.Errorf("%s: HTTP %d: %s", req.what, code, errorBody(resp.Body))
	}
	return out
}

// readPage reads a whole response page into memory.
func readPage(r io.Reader) ([]*rawObject, envelope, error) {
	t, err := newTextStream(r)
	if err != nil {
		return nil, envelope{}, err
	}
	var objs []*rawObject
	env, err := readObjects(t, func(o *rawObject) error {
		o.line = 0 // lines of a response mean nothing to the user
		objs = append(objs, o)
		return nil
	})
	return objs, env, err
}

// transportError words a failed attempt without internals the user cannot act on.
func transportError(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no complete answer within %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %v", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return err
}

// redactURL drops the query (skip tokens are opaque and long).
func redactURL(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

// errorBody extracts the message of an error response (Graph and EXO REST
// use {"error":{"code","message","details"}}), or its first bytes.
func errorBody(r io.Reader) string {
	data, _ := io.ReadAll(io.LimitReader(r, 64<<10))
	var e struct {
		Error *apiError `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error != nil && (e.Error.Message != "" || e.Error.Code != "") {
		return e.Error.String()
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "(empty body)"
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// retryAfter parses Retry-After: delta seconds or an HTTP date; -1 when absent.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

func defaultJitter() float64 { return rand.Float64() }
