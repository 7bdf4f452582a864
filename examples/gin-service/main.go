// Command gin-service is a small Gin HTTP service that berth versions, builds and ships:
// GET /healthz, GET /version and GET /metrics (Prometheus), JSON logs, graceful shutdown on SIGTERM,
// and a fault switch for canary tests (FAULT_ERROR_RATE, FAULT_LATENCY, FAULT_LATENCY_RATE).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/gin-service/internal/fault"
	"example.com/gin-service/internal/metrics"
	"example.com/gin-service/internal/version"
	"github.com/gin-gonic/gin"
)

// logJSON writes one structured log line to stderr.
func logJSON(level, message string, fields map[string]interface{}) {
	entry := map[string]interface{}{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "msg": message}
	for key, value := range fields {
		entry[key] = value
	}
	line, _ := json.Marshal(entry)
	os.Stderr.Write(append(line, '\n'))
}

// requestLog logs each request as one JSON line.
func requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		logJSON("info", "request", map[string]interface{}{
			"method": c.Request.Method, "path": c.Request.URL.Path, "status": c.Writer.Status(),
			"duration_ms": float64(time.Since(start).Microseconds()) / 1000,
		})
	}
}

// newRouter serves the routes with their own metrics registry; faults apply to /version only:
// /healthz and /metrics always answer, so probes and scrapes see the process as it is. seed orders
// the fault draws.
func newRouter(faults fault.Config, seed int64) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	instruments := metrics.New(version.Version, version.Commit)
	router.Use(requestLog(), instruments.Middleware(), gin.Recovery())
	router.GET(metrics.Path, instruments.Handler())
	router.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	served := router.Group("", fault.Middleware(faults, seed))
	served.GET("/version", version.Handler)
	return router
}

func main() {
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	faults, err := fault.FromEnv(os.Getenv)
	if err != nil {
		logJSON("error", "bad fault configuration", map[string]interface{}{"error": err.Error()})
		os.Exit(2)
	}
	if faults.Enabled() {
		logJSON("warn", "injecting faults", map[string]interface{}{
			"error_rate": faults.ErrorRate, "latency": faults.Latency.String(), "latency_rate": faults.LatencyRate,
		})
	}
	server := &http.Server{Addr: addr, Handler: newRouter(faults, time.Now().UnixNano()), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		logJSON("info", "listening", map[string]interface{}{"addr": addr, "version": version.Version, "commit": version.Commit})
		if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logJSON("error", "server failed", map[string]interface{}{"error": err.Error()})
			os.Exit(1)
		}
	}()
	<-ctx.Done()
	logJSON("info", "shutting down", nil)
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil {
		logJSON("error", "shutdown failed", map[string]interface{}{"error": err.Error()})
		os.Exit(1)
	}
	logJSON("info", "stopped", nil)
}
