package replay

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/reelpulse/reelpulse/internal/imdb"
)

// testSuggestionReply is IMDb's suggestion JSON as documented for
// v3.sg.media-imdb.com, written apart from the server's types.
type testSuggestionReply struct {
	D []struct {
		I *struct {
			Height   int    `json:"height"`
			ImageURL string `json:"imageUrl"`
			Width    int    `json:"width"`
		} `json:"i"`
		ID  string `json:"id"`
		L   string `json:"l"`
		Q   string `json:"q"`
		QID string `json:"qid"`
		Y   int    `json:"y"`
	} `json:"d"`
	Q string `json:"q"`
	V int    `json:"v"`
}

func getSuggestions(t *testing.T, url string) testSuggestionReply {
	t.Helper()
	response, body := get(t, url)
	if response.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", url, response.StatusCode)
	}
	if got := response.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var reply testSuggestionReply
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatalf("reply is not suggestion JSON: %v\n%s", err, body)
	}
	return reply
}

func TestServerSuggestions(t *testing.T) {
	server := startServer(t, Example(), Options{})

	reply := getSuggestions(t, server.URL+"/suggestion/n/NosFer.json")

	if reply.Q != "nosfer" || reply.V != 1 || len(reply.D) != 1 {
		t.Fatalf("reply = %+v, want query nosfer, version 1 and one title", reply)
	}
	entry := reply.D[0]
	if entry.ID != ExampleTitleID || entry.L != "Nosferatu" || entry.Y != 1922 || entry.Q != "feature" || entry.QID != "movie" {
		t.Errorf("entry = %+v", entry)
	}
	if entry.I == nil || entry.I.ImageURL != server.URL+"/_replay/poster/"+ExampleTitleID+".svg" {
		t.Errorf("image = %+v, want the replay poster", entry.I)
	}
}

func TestServerSuggestionsOrder(t *testing.T) {
	site := NewSite()
	for _, m := range []Movie{
		{ID: "tt7000021", Title: "The Night Walker", Year: 1964},
		{ID: "tt7000022", Title: "Night of the Living Dead", Year: 1968},
		{ID: "tt7000023", Title: "Day and Night"},
		{ID: "tt7000024", Title: "Morning"},
	} {
		site.AddMovie(m)
	}
	site.SetTitlePage("tt7000025", []byte("<title>Night Shift (TV Series 2014–2017) - IMDb</title>"))
	server := startServer(t, site, Options{})

	reply := getSuggestions(t, server.URL+"/suggestion/n/night.json")

	var ids []string
	for _, entry := range reply.D {
		ids = append(ids, entry.ID)
	}
	want := []string{"tt7000022", "tt7000025", "tt7000023", "tt7000021"}
	if len(ids) != len(want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("ids = %v, want %v: names starting with the query first", ids, want)
		}
	}
	if reply.D[1].Y != 2014 || reply.D[2].Y != 0 {
		t.Errorf("years = %d and %d, want 2014 from <title> and none", reply.D[1].Y, reply.D[2].Y)
	}
}

func TestServerSuggestionsNoMatch(t *testing.T) {
	server := startServer(t, Example(), Options{})

	reply := getSuggestions(t, server.URL+"/suggestion/x/xyzzy.json")

	if reply.Q != "xyzzy" || len(reply.D) != 0 {
		t.Errorf("reply = %+v, want no titles", reply)
	}
}

func TestServerSuggestionsBadPath(t *testing.T) {
	server := startServer(t, Example(), Options{})

	for _, path := range []string{"/suggestion/n/nosferatu", "/suggestion/n/.json", "/suggestion/nosferatu.json"} {
		response, _ := get(t, server.URL+path)
		if response.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, response.StatusCode)
		}
	}
}

// The IMDb client's parser reads the replay's suggestions.
func TestServerSuggestionsParse(t *testing.T) {
	server := startServer(t, Example(), Options{})
	_, body := get(t, server.URL+"/suggestion/n/nosferatu%20.json")

	suggestions, err := imdb.ParseSuggestions(body)

	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(suggestions) != 1 || suggestions[0].ID != ExampleTitleID || suggestions[0].Year != 1922 || suggestions[0].Kind != "movie" {
		t.Errorf("suggestions = %+v", suggestions)
	}
}
