package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/gin-service/internal/version"
)

func TestVersionReturnsInjectedFacts(t *testing.T) {
	version.Version, version.Commit, version.BuildDate = "1.2.3", "abc", "2024-01-01T00:00:00Z"
	recorder := httptest.NewRecorder()
	newRouter().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/version", nil))
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
	newRouter().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if recorder.Code != http.StatusOK {
		t.Fatalf("GET /healthz: %d", recorder.Code)
	}
}
