package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// post sends a chat-completions request for the reviews with a schema of
// the aspects and returns the status and the decoded body.
func post(t *testing.T, s *Server, reviews []Review, aspects ...string) (int, map[string]any) {
	t.Helper()
	props := `"id":{"type":"string"}`
	for _, a := range aspects {
		props += `,"` + a + `":{}`
	}
	user, _ := json.Marshal(map[string]any{"reviews": reviews})
	userJSON, _ := json.Marshal(string(user))
	body := `{"model":"m","messages":[{"role":"system","content":"x"},{"role":"user","content":` + string(userJSON) + `}],` +
		`"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"properties":{"reviews":{"items":{"properties":{` + props + `}}}}}}}}`
	resp, err := http.Post(s.URL+"chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var decoded map[string]any
	_ = json.Unmarshal(raw, &decoded)
	return resp.StatusCode, decoded
}

func content(t *testing.T, completion map[string]any) string {
	t.Helper()
	choices, _ := completion["choices"].([]any)
	if len(choices) != 1 {
		t.Fatalf("choices = %v", completion["choices"])
	}
	message := choices[0].(map[string]any)["message"].(map[string]any)
	text, _ := message["content"].(string)
	return text
}

func TestDefaultReply(t *testing.T) {
	s := NewServer(t)
	stars := 9
	reviews := []Review{{ID: "r1", Stars: &stars, Title: "Wow", Text: "The story soars. Nothing else matters."}}

	status, completion := post(t, s, reviews, "storytelling", "sound", "overall")

	if status != http.StatusOK {
		t.Fatalf("status = %d", status)
	}
	want := `{"reviews":[{"id":"r1","storytelling":{"evidence":"The story soars.","score":"+2"},"sound":{"evidence":"","score":"not_mentioned"},"overall":{"evidence":"The story soars.","score":"+2"}}]}`
	if got := content(t, completion); got != want {
		t.Errorf("content = %s\nwant %s", got, want)
	}
	usage := completion["usage"].(map[string]any)
	if usage["prompt_tokens"].(float64) <= 0 || usage["completion_tokens"].(float64) <= 0 {
		t.Errorf("usage = %v, want positive token counts", usage)
	}
	reqs := s.Requests()
	if s.Count() != 1 || len(reqs[0].Reviews) != 1 || strings.Join(reqs[0].Aspects, ",") != "storytelling,sound,overall" {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestQueuedFaultsThenHook(t *testing.T) {
	s := NewServer(t)
	s.Enqueue(RateLimited("2"), nil)
	s.SetHook(CodeFence())
	reviews := []Review{{ID: "r1", Text: "Fine."}}

	status, _ := post(t, s, reviews, "overall")
	if status != http.StatusTooManyRequests {
		t.Errorf("first status = %d, want 429", status)
	}
	status, completion := post(t, s, reviews, "overall")
	if status != http.StatusOK || !strings.HasPrefix(content(t, completion), "```json\n") {
		t.Errorf("second reply = %d %v, want a fenced reply", status, completion)
	}
}

func TestSlowReplyEndsWithClient(t *testing.T) {
	s := NewServer(t)
	s.Enqueue(Slow(time.Minute))
	client := &http.Client{Timeout: 100 * time.Millisecond}

	start := time.Now()
	_, err := client.Post(s.URL+"chat/completions", "application/json", strings.NewReader(`{}`))

	if err == nil {
		t.Fatal("request succeeded, want a timeout")
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the slow reply held the client")
	}
}

func TestUnknownRoute(t *testing.T) {
	s := NewServer(t)
	resp, err := http.Get(s.URL + "models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want 404", resp.StatusCode)
	}
}
