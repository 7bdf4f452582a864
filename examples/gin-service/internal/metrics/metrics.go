// Package metrics instruments the service for Prometheus: request counts and durations per route,
// the build's version, served on GET /metrics.
package metrics

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DurationBuckets are the request-duration histogram's upper bounds in seconds: fine below 100 ms
// where a healthy handler answers, and enough above it to place p99 of a slow release.
var DurationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10}

// Metrics is one registry with the service's collectors; a router has its own (tests make many).
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New registers http_requests_total{code,method,route}, http_request_duration_seconds{method,route},
// build_info{version,commit} (always 1) and the Go runtime and process collectors.
func New(version, commit string) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests answered, by status code, method and route template.",
		}, []string{"code", "method", "route"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time from receiving a request to its answer, by method and route template.",
			Buckets: DurationBuckets,
		}, []string{"method", "route"}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "build_info",
		Help:        "Always 1: the version and commit of the running build, as labels.",
		ConstLabels: prometheus.Labels{"version": version, "commit": commit},
	})
	buildInfo.Set(1)
	m.registry.MustRegister(m.requests, m.duration, buildInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Path is where Handler is served; Middleware doesn't count scrapes.
const Path = "/metrics"

// Middleware counts and times each request under its route template (/users/:id, never the raw path,
// so the label's values stay few); a request no route matched is counted as route "unmatched".
// Scrapes of Path are not counted: a 1 s scrape interval would swamp a quiet service's traffic.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		route := c.FullPath()
		if route == Path {
			c.Next()
			return
		}
		if route == "" {
			route = "unmatched"
		}
		start := time.Now()
		c.Next()
		method := c.Request.Method
		m.requests.WithLabelValues(strconv.Itoa(c.Writer.Status()), method, route).Inc()
		m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	}
}

// Handler serves the registry in Prometheus's text format: router.GET(metrics.Path, m.Handler()).
func (m *Metrics) Handler() gin.HandlerFunc {
	handler := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return func(c *gin.Context) { handler.ServeHTTP(c.Writer, c.Request) }
}

// Registry is for tests that read the collected values.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }
