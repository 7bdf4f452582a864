package fault

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

func env(values map[string]string) func(string) string {
	return func(name string) string { return values[name] }
}

func TestFromEnvIsOffUnlessAskedAndRefusesWhatItCantRead(t *testing.T) {
	off, err := FromEnv(env(nil))
	if err != nil || off.Enabled() || off.ErrorRate != 0 || off.Latency != 0 || off.LatencyRate != 1 {
		t.Fatalf("unset: %+v %v", off, err)
	}
	on, err := FromEnv(env(map[string]string{"FAULT_ERROR_RATE": "0.2", "FAULT_LATENCY": "200ms", "FAULT_LATENCY_RATE": " 0.5 "}))
	if err != nil || on != (Config{ErrorRate: 0.2, Latency: 200 * time.Millisecond, LatencyRate: 0.5}) || !on.Enabled() {
		t.Fatalf("set: %+v %v", on, err)
	}
	for name, value := range map[string]string{
		"FAULT_ERROR_RATE": "1.5", "FAULT_LATENCY_RATE": "-0.1", "FAULT_LATENCY": "200", "FAULT_LATENCY ": "2h",
	} {
		_, err := FromEnv(env(map[string]string{strings.TrimSpace(name): value}))
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(name)) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
	for _, value := range []string{"NaN", "twenty", "20%"} {
		if _, err := FromEnv(env(map[string]string{"FAULT_ERROR_RATE": value})); err == nil {
			t.Errorf("FAULT_ERROR_RATE=%s was accepted", value)
		}
	}
}

func TestBagHitsItsShareExactlyPerBlockAndWithinOneBlockBetween(t *testing.T) {
	for _, c := range []struct {
		share      float64
		hits, size int
	}{{0, 0, 1}, {1, 1, 1}, {0.2, 1, 5}, {0.125, 1, 8}, {0.333, 333, 1000}, {0.5, 1, 2}, {0.0004, 0, 1}} {
		if hits, size := fraction(c.share); hits != c.hits || size != c.size {
			t.Errorf("fraction(%v) = %d/%d, want %d/%d", c.share, hits, size, c.hits, c.size)
		}
	}
	bag := NewBag(0.2, rand.New(rand.NewSource(3)))
	hits, positions := 0, map[int]bool{}
	for draw := 1; draw <= 1003; draw++ {
		if bag.Draw() {
			hits++
			positions[(draw-1)%5] = true
		}
		if draw%5 == 0 && hits != draw/5 {
			t.Fatalf("after %d draws %d hits, want %d", draw, hits, draw/5)
		}
	}
	if len(positions) < 2 {
		t.Fatalf("every hit at the same place in its block: the order isn't shuffled")
	}
}
