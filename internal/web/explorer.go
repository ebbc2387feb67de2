package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// explorerParameters are the movie page parameters that the review explorer
// reads: the filter, shared with the API, and the page cursor. The other
// parameters of the page, such as bucket, pass through the explorer's form
// and links unchanged.
var explorerParameters = append(slices.Clone(reviewquery.FilterParameters), "cursor")

// explorerData is the review explorer of the movie page: a GET form, whose
// URL is the permalink of the filtered view, and a page of the reviews that
// it selects.
type explorerData struct {
	// Action is the movie page path that the form submits to.
	Action string
	// Values are the submitted filter values, invalid ones included, which
	// refill the form.
	Values map[string]string
	// Hidden are the page's other parameters, which the form keeps.
	Hidden     []hiddenField
	Aspects    []option
	Polarities []option
	Spoilers   []option
	Sorts      []option
	// Error is the message of the invalid parameters and Invalid their
	// names. No review is listed then.
	Error   string
	Invalid []string
	// Filtered is true when a filter parameter is set.
	Filtered bool
	Analyzer string
	Reviews  []explorerReview
	// Total counts the reviews that the filter selects. It is nil when the
	// filter is invalid.
	Total *int
	// TotalCapped is set when the count stopped at its limit: at least
	// Total reviews match.
	TotalCapped bool
	FirstURL    string // "" on the first page
	NextURL     string // "" on the last page
	ClearURL    string
	Exports     []exportLink
}

// formLabels replaces the filter parameters' names in messages with the
// labels of the explorer form's controls, the names shown on the page.
var formLabels = strings.NewReplacer(
	`"q"`, `"Text contains"`,
	`"aspect"`, `"Aspect"`,
	`"polarity"`, `"Aspect score"`,
	`"min_rating"`, `"Rating from"`,
	`"max_rating"`, `"Rating to"`,
	`"from"`, `"Published from"`,
	`"to"`, `"Published to"`,
	`"spoiler"`, `"Spoilers"`,
	`"sort"`, `"Order"`,
	"min_rating <= max_rating", "Rating from at most Rating to",
	"from <= to", "Published from no later than Published to",
)

// IsInvalid reports whether the parameter name is an invalid one, so that
// the template marks its control.
func (d explorerData) IsInvalid(name string) bool { return slices.Contains(d.Invalid, name) }

// ShowForm is false for a movie without stored reviews, where there is
// nothing to filter.
func (d explorerData) ShowForm() bool {
	return d.Error != "" || d.Filtered || d.FirstURL != "" || (d.Total != nil && *d.Total > 0)
}

// Summary is the sentence above the list: how many reviews the filter
// selects, or why none is listed.
func (d explorerData) Summary() string {
	switch {
	case d.Total == nil:
		return ""
	case *d.Total == 0 && d.Filtered:
		return "No review matches these filters."
	case *d.Total == 0:
		return "No reviews are stored for this movie yet."
	case len(d.Reviews) == 0:
		return "This page is past the last review; go back to the first page."
	case d.Filtered && *d.Total == 1:
		return "1 review matches these filters."
	case d.TotalCapped:
		return "More than " + plural(*d.Total, "review") + " match these filters."
	case d.Filtered:
		return plural(*d.Total, "review") + " match these filters."
	}
	return plural(*d.Total, "review") + "."
}

// option is one choice of a select control.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// hiddenField is a parameter that the form passes on unchanged.
type hiddenField struct {
	Name  string
	Value string
}

// exportLink downloads the filtered reviews in one format.
type exportLink struct {
	Label string
	URL   string
}

// explorerReview is a review of the explorer with its aspect scores.
type explorerReview struct {
	Review  store.Review
	IMDbURL string
	// Text is the review text split around the evidence sentences that
	// were found in it.
	Text   []textSegment
	Scores []scoreView
	// Notes are the evidence sentences that were not found in the text.
	Notes []evidenceNote
	// Analyzed is false when the analyzer has not scored the current text.
	Analyzed bool
}

// scoreView is one aspect's score of a review, shown as a chip.
type scoreView struct {
	Name     string
	Label    string
	Score    *int
	Evidence string
	Class    string
}

// textSegment is a part of a review text. Mark is empty for plain text and
// otherwise describes the aspects whose evidence the part is.
type textSegment struct {
	Text string
	Mark string
	// Parts splits Text around the occurrences of the searched text, when
	// it holds any.
	Parts []textPart
}

// textPart is a piece of a textSegment; Hit is set on an occurrence of the
// searched text.
type textPart struct {
	Text string
	Hit  bool
}

// evidenceNote is an evidence sentence shown under the score chips.
type evidenceNote struct {
	Aspects  string
	Evidence string
}

// loadExplorer reads the explorer's parameters from the movie page's query
// and loads the page of reviews that they select. An invalid parameter is
// reported in the data's Error, so the returned error is a store failure.
func (s *server) loadExplorer(ctx context.Context, movieID string, query url.Values) (explorerData, error) {
	path := "/movies/" + url.PathEscape(movieID)
	data := explorerData{Action: path + "#reviews", Values: map[string]string{}, Analyzer: s.analyzer}
	other := url.Values{}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if slices.Contains(explorerParameters, name) {
			data.Values[name] = query.Get(name)
			data.Filtered = data.Filtered || (name != "cursor" && name != "sort" && query.Get(name) != "")
			continue
		}
		for _, value := range query[name] {
			other.Add(name, value)
			data.Hidden = append(data.Hidden, hiddenField{Name: name, Value: value})
		}
	}
	data.ClearURL = pageURL(path, other)
	s.fillOptions(&data)

	filter, err := s.explorerFilter(query, movieID)
	var parameter *reviewquery.ParameterError
	if errors.As(err, &parameter) {
		s.logger.Debug("Movie page requested with an invalid review filter", "movie_id", movieID,
			"parameter", parameter.Name, "error", err)
		data.Error, data.Invalid = formLabels.Replace(parameter.Error()), parameter.Names
		return data, nil
	}
	if err != nil {
		return data, err
	}

	filter.Limit, filter.CountTotal, filter.CountLimit = reviewsPerPage, true, reviewquery.CountLimit
	page, err := s.store.QueryReviews(ctx, filter)
	if err != nil {
		return data, fmt.Errorf("query reviews of movie %s: %w", movieID, err)
	}
	ids := make([]string, len(page.Reviews))
	for i, r := range page.Reviews {
		ids[i] = r.ID
	}
	analyses, err := s.store.ReviewAnalyses(ctx, s.analyzer, ids)
	if err != nil {
		return data, fmt.Errorf("load %s analyses of movie %s: %w", s.analyzer, movieID, err)
	}
	var hits *regexp.Regexp
	if filter.Text != "" {
		hits = regexp.MustCompile("(?i)" + regexp.QuoteMeta(filter.Text))
	}
	for _, r := range page.Reviews {
		view := s.explorerReview(r, analyses)
		view.Text = markHits(view.Text, hits)
		data.Reviews = append(data.Reviews, view)
	}
	data.Total, data.TotalCapped = page.Total, page.TotalCapped

	withoutCursor := url.Values{}
	for name, values := range query {
		if name != "cursor" {
			withoutCursor[name] = values
		}
	}
	if filter.After != nil {
		data.FirstURL = pageURL(path, withoutCursor)
	}
	if page.Next != nil {
		next := cloneValues(withoutCursor)
		next.Set("cursor", page.Next.String())
		data.NextURL = pageURL(path, next)
	}
	if len(page.Reviews) > 0 {
		data.Exports = exportLinks(path, query)
	}
	return data, nil
}

// explorerFilter reads the filter and the cursor. A parameter given twice
// is an error, as in the API.
func (s *server) explorerFilter(query url.Values, movieID string) (store.ReviewFilter, error) {
	own := url.Values{}
	for _, name := range explorerParameters {
		if values, ok := query[name]; ok {
			own[name] = values
		}
	}
	if err := reviewquery.CheckParameters(own, explorerParameters); err != nil {
		return store.ReviewFilter{}, err
	}
	filter, err := reviewquery.ParseFilter(query, movieID, s.analyzer, analyze.Names(s.aspects))
	if err != nil {
		return filter, err
	}
	return filter, reviewquery.ParseCursor(query, &filter)
}

// fillOptions lists the choices of the form's select controls, with the
// submitted ones selected.
func (s *server) fillOptions(data *explorerData) {
	aspects := []option{{Value: "", Label: "Any aspect"}}
	for _, name := range analyze.Names(s.aspects) {
		aspects = append(aspects, option{Value: name, Label: aspectLabel(name)})
	}
	data.Aspects = selectOption(aspects, data.Values["aspect"])
	data.Polarities = selectOption([]option{
		{"", "Any", false},
		{string(store.PolarityPositive), "Positive (+1, +2)", false},
		{string(store.PolarityNeutral), "Neutral (0)", false},
		{string(store.PolarityNegative), "Negative (−1, −2)", false},
		{string(store.PolarityMentioned), "Mentioned, any score", false},
		{string(store.PolarityNotMentioned), "Not mentioned", false},
	}, data.Values["polarity"])
	data.Spoilers = selectOption([]option{
		{"", "Include spoilers", false},
		{string(store.SpoilerExclude), "Leave spoilers out", false},
		{string(store.SpoilerOnly), "Only spoilers", false},
	}, data.Values["spoiler"])
	data.Sorts = selectOption([]option{
		{string(store.SortNewest), "Newest first", false},
		{string(store.SortOldest), "Oldest first", false},
		{string(store.SortHelpful), "Most helpful first", false},
		{string(store.SortLeastHelpful), "Least helpful first", false},
	}, cmp.Or(data.Values["sort"], string(store.SortNewest)))
}

func selectOption(options []option, value string) []option {
	for i := range options {
		options[i].Selected = options[i].Value == value
	}
	return options
}

// exportLinks returns a download link per export format for the filter
// parameters of the query.
func exportLinks(path string, query url.Values) []exportLink {
	filter := url.Values{}
	for _, name := range reviewquery.FilterParameters {
		if value := query.Get(name); value != "" {
			filter.Set(name, value)
		}
	}
	var links []exportLink
	for _, format := range reviewquery.Formats {
		values := cloneValues(filter)
		values.Set("format", format.Name)
		links = append(links, exportLink{Label: format.Label, URL: path + "/reviews/export?" + values.Encode()})
	}
	return links
}

// pageURL returns the movie page path with the query, at the explorer.
func pageURL(path string, query url.Values) string {
	if len(query) == 0 {
		return path + "#reviews"
	}
	return path + "?" + query.Encode() + "#reviews"
}

func cloneValues(values url.Values) url.Values {
	out := url.Values{}
	for name, list := range values {
		out[name] = slices.Clone(list)
	}
	return out
}

// withoutEmpty returns the query without the parameters whose values are
// all empty, and whether it dropped any. The explorer's form submits every
// control, and dropping the empty ones keeps permalinks short.
func withoutEmpty(query url.Values) (url.Values, bool) {
	out := url.Values{}
	dropped := false
	for name, values := range query {
		if slices.ContainsFunc(values, func(v string) bool { return v != "" }) {
			out[name] = values
		} else {
			dropped = true
		}
	}
	return out, dropped
}

// explorerReview returns the view of r with its current analysis, if any,
// and the evidence of each score marked in the text.
func (s *server) explorerReview(r store.Review, analyses map[string]store.Analysis) explorerReview {
	view := explorerReview{Review: r, IMDbURL: "https://www.imdb.com/review/" + url.PathEscape(r.ID) + "/",
		Text: []textSegment{{Text: r.Text}}}
	a, ok := analyses[r.ID]
	if !ok || !reviewquery.Current(a, r) {
		return view
	}
	view.Analyzed = true
	view.Scores = s.scoreViews(a)
	view.Text, view.Notes = markEvidence(r.Text, view.Scores)
	return view
}

func (s *server) scoreViews(a store.Analysis) []scoreView {
	byName := map[string]store.AspectScore{}
	for _, score := range a.Aspects {
		byName[score.Aspect] = score
	}

	var views []scoreView
	for _, name := range analyze.Names(s.aspects) {
		score := byName[name]
		view := scoreView{Name: name, Label: aspectLabel(name), Score: score.Score, Class: "score-none"}
		if score.Score != nil {
			view.Evidence = score.Evidence
		}
		if score.Score != nil && *score.Score >= -2 && *score.Score <= 2 {
			view.Class = scoreClasses[*score.Score+2]
		}
		views = append(views, view)
	}
	return views
}

// evidenceSpan is the evidence of some aspects at text[start:end].
type evidenceSpan struct {
	start, end int
	aspects    []string
}

// markEvidence splits text around the evidence sentences of the scores.
// Overlapping evidence becomes one marked segment. Evidence that is not
// found in the text is returned as notes, one per sentence.
func markEvidence(text string, scores []scoreView) ([]textSegment, []evidenceNote) {
	var spans []evidenceSpan
	var notes []evidenceNote
	for _, score := range scores {
		if score.Evidence == "" {
			continue
		}
		label := score.Label + " " + formatScore(*score.Score)
		start, end, found := findEvidence(text, score.Evidence)
		if !found {
			notes = addNote(notes, score.Evidence, label)
			continue
		}
		spans = append(spans, evidenceSpan{start: start, end: end, aspects: []string{label}})
	}
	slices.SortStableFunc(spans, func(a, b evidenceSpan) int { return cmp.Compare(a.start, b.start) })

	var merged []evidenceSpan
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, sp.end)
			merged[n-1].aspects = append(merged[n-1].aspects, sp.aspects...)
			continue
		}
		merged = append(merged, sp)
	}

	var segments []textSegment
	at := 0
	for _, sp := range merged {
		if sp.start > at {
			segments = append(segments, textSegment{Text: text[at:sp.start]})
		}
		segments = append(segments, textSegment{Text: text[sp.start:sp.end], Mark: "Evidence for " + strings.Join(sp.aspects, ", ")})
		at = sp.end
	}
	if at < len(text) || len(segments) == 0 {
		segments = append(segments, textSegment{Text: text[at:]})
	}
	return segments, notes
}

// markHits splits each segment into parts around the matches of hits, the
// searched text, so that the page shows why each review matched. A nil
// hits returns the segments unchanged.
func markHits(segments []textSegment, hits *regexp.Regexp) []textSegment {
	if hits == nil {
		return segments
	}

	for i, seg := range segments {
		matches := hits.FindAllStringIndex(seg.Text, -1)
		if len(matches) == 0 {
			continue
		}
		at := 0
		for _, match := range matches {
			if match[0] > at {
				seg.Parts = append(seg.Parts, textPart{Text: seg.Text[at:match[0]]})
			}
			seg.Parts = append(seg.Parts, textPart{Text: seg.Text[match[0]:match[1]], Hit: true})
			at = match[1]
		}
		if at < len(seg.Text) {
			seg.Parts = append(seg.Parts, textPart{Text: seg.Text[at:]})
		}
		segments[i] = seg
	}
	return segments
}

func addNote(notes []evidenceNote, evidence, label string) []evidenceNote {
	for i := range notes {
		if notes[i].Evidence == evidence {
			notes[i].Aspects += ", " + label
			return notes
		}
	}
	return append(notes, evidenceNote{Aspects: label, Evidence: evidence})
}

// findEvidence returns the position of evidence in text: an exact match,
// or else a match that ignores letter case and differences in white space,
// as analyzers may quote with normalized spacing.
func findEvidence(text, evidence string) (start, end int, found bool) {
	evidence = strings.TrimSpace(evidence)
	if evidence == "" {
		return 0, 0, false
	}
	if i := strings.Index(text, evidence); i >= 0 {
		return i, i + len(evidence), true
	}
	words := strings.Fields(evidence)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	pattern, err := regexp.Compile(`(?i)` + strings.Join(words, `\s+`))
	if err != nil {
		return 0, 0, false
	}
	if loc := pattern.FindStringIndex(text); loc != nil {
		return loc[0], loc[1], true
	}
	return 0, 0, false
}
