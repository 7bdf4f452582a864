// Package fault injects failures for canary tests: a share of requests answers 500, a share is
// delayed. It is configured once, at start, from the environment, and is off unless asked for.
package fault

import (
	"fmt"
	"math"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// MaxLatency bounds FAULT_LATENCY: a fault switch slows requests, it doesn't hang them.
const MaxLatency = time.Minute

// Config is what the environment asked for. The zero value injects nothing.
type Config struct {
	// ErrorRate is the share of requests (0…1) answered 500 (FAULT_ERROR_RATE).
	ErrorRate float64
	// Latency is added before a delayed request is handled (FAULT_LATENCY, a Go duration: 200ms).
	Latency time.Duration
	// LatencyRate is the share of requests (0…1) delayed by Latency (FAULT_LATENCY_RATE, default 1).
	LatencyRate float64
}

// Enabled reports whether any fault is injected.
func (c Config) Enabled() bool { return c.ErrorRate > 0 || (c.Latency > 0 && c.LatencyRate > 0) }

// FromEnv reads FAULT_ERROR_RATE, FAULT_LATENCY and FAULT_LATENCY_RATE through getenv (os.Getenv).
// Unset or empty variables inject nothing; a value that doesn't parse is an error, never ignored.
func FromEnv(getenv func(string) string) (Config, error) {
	config := Config{LatencyRate: 1}
	var err error
	if config.ErrorRate, err = share(getenv, "FAULT_ERROR_RATE", 0); err != nil {
		return Config{}, err
	}
	if config.LatencyRate, err = share(getenv, "FAULT_LATENCY_RATE", 1); err != nil {
		return Config{}, err
	}
	if text := strings.TrimSpace(getenv("FAULT_LATENCY")); text != "" {
		latency, parseErr := time.ParseDuration(text)
		if parseErr != nil || latency < 0 || latency > MaxLatency {
			return Config{}, fmt.Errorf("FAULT_LATENCY=%q is not a duration between 0 and %s (e.g. 200ms)", text, MaxLatency)
		}
		config.Latency = latency
	}
	return config, nil
}

func share(getenv func(string) string, name string, unset float64) (float64, error) {
	text := strings.TrimSpace(getenv(name))
	if text == "" {
		return unset, nil
	}
	value, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(value) || value < 0 || value > 1 {
		return 0, fmt.Errorf("%s=%q is not a share between 0 and 1 (e.g. 0.2)", name, text)
	}
	return value, nil
}

// Middleware injects the configured faults: first the delay, then the error, so a delayed request
// can also fail. Requests the faults spare go on to the handler untouched. seed orders the draws
// (main passes the time; tests pass a constant).
func Middleware(config Config, seed int64) gin.HandlerFunc {
	errors := NewBag(config.ErrorRate, rand.New(rand.NewSource(seed)))
	delays := NewBag(config.LatencyRate, rand.New(rand.NewSource(seed+1)))
	return func(c *gin.Context) {
		if config.Latency > 0 && delays.Draw() {
			timer := time.NewTimer(config.Latency)
			select {
			case <-timer.C:
			case <-c.Request.Context().Done():
				timer.Stop()
			}
		}
		if errors.Draw() {
			c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "injected fault (FAULT_ERROR_RATE)"})
			return
		}
		c.Next()
	}
}

// Bag decides which requests a share applies to, accurately and in random order: the share is
// written as k hits in blocks of n draws (0.2 is 1 in 5, 0.125 is 1 in 8, 0.333 is 333 in 1000), and
// each block is shuffled. Over any number of draws the count of hits is within one block's k of
// share × draws, and exact after every whole block. Safe for concurrent use.
type Bag struct {
	mutex  sync.Mutex
	hits   int
	size   int
	left   []bool
	source *rand.Rand
}

// NewBag makes a bag for share (0…1, to three decimals) shuffled by source, which it alone uses
// (a rand.Rand is not safe for concurrent use).
func NewBag(share float64, source *rand.Rand) *Bag {
	hits, size := fraction(share)
	return &Bag{hits: hits, size: size, source: source}
}

// Draw reports whether this draw is a hit.
func (b *Bag) Draw() bool {
	if b.hits == 0 {
		return false
	}
	if b.hits == b.size {
		return true
	}
	b.mutex.Lock()
	defer b.mutex.Unlock()
	if len(b.left) == 0 {
		b.left = make([]bool, b.size)
		for i := 0; i < b.hits; i++ {
			b.left[i] = true
		}
		b.source.Shuffle(len(b.left), func(i, j int) { b.left[i], b.left[j] = b.left[j], b.left[i] })
	}
	hit := b.left[len(b.left)-1]
	b.left = b.left[:len(b.left)-1]
	return hit
}

// fraction writes share as hits/size in lowest terms with size ≤ 1000.
func fraction(share float64) (hits, size int) {
	thousandths := int(math.Round(share * 1000))
	divisor := gcd(thousandths, 1000)
	return thousandths / divisor, 1000 / divisor
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
