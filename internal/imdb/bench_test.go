package imdb

import "testing"

func BenchmarkParseReviewsPage(b *testing.B) {
	body := readSample(b, "reviews-next-ssr-tt33014583.html")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()

	for b.Loop() {
		if _, _, err := ParseReviewsPage(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseGraphQLReviews(b *testing.B) {
	body := readSample(b, "graphql-reviews-tt33014583-page001.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()

	for b.Loop() {
		if _, err := ParseGraphQLReviews(body); err != nil {
			b.Fatal(err)
		}
	}
}
