package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/gin-service/internal/fault"
	"example.com/gin-service/internal/version"
)

func TestVersionReturnsInjectedFacts(t *testing.T) {
	version.Version, version.Commit, version.BuildDate = "1.2.3", "abc", "2024-01-01T00:00:00Z"
	recorder := httptest.NewRecorder()
	newRouter(fault.Config{}, 1).ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/version", nil))
	var info version.Info
	if err := json.Unmarshal(recorder.Body.Bytes(), &info); err != nil || recorder.Code != http.StatusOK {
		t.Fatalf("GET /version: %d %s", recorder.Code, recorder.Body.String())
	}
	if info != (version.Info{Version: "1.2.3", Commit: "abc", BuildDate: "2024-01-01T00:00:00Z"}) {
		t.Fatalf("unexpected %+v", info)
	}
}

func TestHealthz(t *testing.T) {
	recorder := httptest.NewRecorder()
	newRouter(fault.Config{}, 1).ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if recorder.Code != http.StatusOK {
		t.Fatalf("GET /healthz: %d", recorder.Code)
	}
}

// get sends a GET through router and returns the status code and body.
func get(router http.Handler, path string) (int, string) {
	recorder := httptest.NewRecorder()
	router.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(recorder.Body)
	return recorder.Code, string(body)
}

// expectLines fails the test for every line of want missing from the exposition text.
func expectLines(t *testing.T, exposition string, want ...string) {
	t.Helper()
	lines := map[string]bool{}
	for _, line := range strings.Split(exposition, "\n") {
		lines[line] = true
	}
	for _, line := range want {
		if !lines[line] {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}

func TestMetricsCountRequestsByCodeMethodRouteAndLabelTheBuild(t *testing.T) {
	version.Version, version.Commit = "1.2.3", "abc"
	router := newRouter(fault.Config{}, 1)
	for i := 0; i < 3; i++ {
		get(router, "/version")
	}
	get(router, "/healthz")
	if code, _ := get(router, "/nowhere"); code != http.StatusNotFound {
		t.Fatalf("GET /nowhere: %d", code)
	}
	get(router, "/metrics") // scrapes are not counted
	code, body := get(router, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", code, body)
	}
	expectLines(t, body,
		`http_requests_total{code="200",method="GET",route="/version"} 3`,
		`http_requests_total{code="200",method="GET",route="/healthz"} 1`,
		`http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`http_request_duration_seconds_count{method="GET",route="/version"} 3`,
		`http_request_duration_seconds_bucket{method="GET",route="/version",le="+Inf"} 3`,
		`http_request_duration_seconds_bucket{method="GET",route="/version",le="0.2"} 3`,
		`build_info{commit="abc",version="1.2.3"} 1`,
		"# TYPE http_request_duration_seconds histogram",
	)
	if strings.Contains(body, `route="/metrics"`) {
		t.Errorf("scrapes were counted:\n%s", body)
	}
}

func TestFaultErrorRateFailsExactlyThatShareOfVersionRequestsAndNeverHealthz(t *testing.T) {
	router := newRouter(fault.Config{ErrorRate: 0.2, LatencyRate: 1}, 42)
	failed := 0
	for i := 0; i < 1000; i++ {
		code, body := get(router, "/version")
		switch code {
		case http.StatusInternalServerError:
			failed++
			if !strings.Contains(body, "injected fault") {
				t.Fatalf("a 500 without the fault's message: %s", body)
			}
		case http.StatusOK:
		default:
			t.Fatalf("GET /version: %d", code)
		}
		if code, _ := get(router, "/healthz"); code != http.StatusOK {
			t.Fatalf("GET /healthz was faulted: %d", code)
		}
	}
	if failed != 200 {
		t.Fatalf("%d of 1000 requests failed, want exactly 200", failed)
	}
	_, body := get(router, "/metrics")
	expectLines(t, body,
		`http_requests_total{code="500",method="GET",route="/version"} 200`,
		`http_requests_total{code="200",method="GET",route="/version"} 800`,
		`http_requests_total{code="200",method="GET",route="/healthz"} 1000`,
	)
}

func TestFaultLatencyDelaysItsShareAndTheHistogramSeesIt(t *testing.T) {
	router := newRouter(fault.Config{Latency: 300 * time.Millisecond, LatencyRate: 0.5}, 7)
	slow := 0
	for i := 0; i < 10; i++ {
		start := time.Now()
		if code, _ := get(router, "/version"); code != http.StatusOK {
			t.Fatalf("GET /version: %d", code)
		}
		if time.Since(start) >= 300*time.Millisecond {
			slow++
		}
	}
	if slow != 5 {
		t.Fatalf("%d of 10 requests were delayed, want 5", slow)
	}
	_, body := get(router, "/metrics")
	expectLines(t, body,
		`http_request_duration_seconds_bucket{method="GET",route="/version",le="0.2"} 5`,
		`http_request_duration_seconds_count{method="GET",route="/version"} 10`,
	)
}
