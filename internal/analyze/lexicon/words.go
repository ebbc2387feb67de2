package lexicon

import "slices"

// The decision layer also reads the words of a review, hashed: each word and
// each pair of neighbouring words within a clause becomes a 32-bit FNV-1a
// hash, and the models keep one weight per level for each of a fixed number
// of buckets (the hash modulo that number). Words of the title hash apart
// from words of the text. Hashing keeps the vocabulary out of the shipped
// weights: they hold numbers per bucket, never a word.

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// hashWord continues the FNV-1a hash h over the bytes of w.
func hashWord(h uint32, w string) uint32 {
	for i := 0; i < len(w); i++ {
		h ^= uint32(w[i])
		h *= fnvPrime
	}
	return h
}

// sentenceHashes returns the hashes of the words and word pairs of one
// sentence, unsorted, with repeats. A clause mark ends a pair.
func sentenceHashes(s sentence, title bool) []uint32 {
	seed := uint32(fnvOffset)
	if title {
		seed = hashWord(seed, "title:")
	}
	hashes := make([]uint32, 0, 2*len(s.tokens))
	previous := ""
	for _, t := range s.tokens {
		if t.word == "," {
			previous = ""
			continue
		}
		hashes = append(hashes, hashWord(seed, t.word))
		if previous != "" {
			hashes = append(hashes, hashWord(hashWord(hashWord(seed, previous), " "), t.word))
		}
		previous = t.word
	}
	return hashes
}

// joinHashes returns the hashes of the sentences for which keep is true,
// sorted and each once.
func (r review) joinHashes(keep func(si int) bool) []uint32 {
	var all []uint32
	for si, h := range r.hashes {
		if keep(si) {
			all = append(all, h...)
		}
	}
	slices.Sort(all)
	return slices.Compact(all)
}
