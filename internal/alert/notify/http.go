package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// StatusError is an HTTP answer that was not a success.
type StatusError struct {
	Code       int
	Body       string
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("unexpected status %d: %s", e.Code, e.Body)
}

// postJSON sends v as JSON and classifies the answer: 2xx is success; 5xx, 429 (when
// retry429) and transport errors are retryable; other codes are not. check inspects a
// 2xx body for receivers that answer errors with 200 (Slack, Teams).
func postJSON(ctx context.Context, c *http.Client, url string, headers map[string]string, v any, retry429 bool, check func(body []byte) error) (bool, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "otelcol-llm/llmalert")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return true, redactURL(err)
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 == 2 {
		if check != nil {
			if err := check(respBody); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	se := &StatusError{Code: resp.StatusCode, Body: string(bytes.TrimSpace(respBody))}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if secs, err := strconv.Atoi(s); err == nil {
			se.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return resp.StatusCode/100 == 5 || (retry429 && resp.StatusCode == http.StatusTooManyRequests), se
}

// redactURL drops the URL from a transport error: webhook URLs and routing keys carry
// secrets that must not reach logs.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request failed: %w", ue.Op, ue.Err)
	}
	return err
}
