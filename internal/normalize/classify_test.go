package normalize

import "testing"

func testClassifier(t testing.TB) *classifier {
	t.Helper()
	cl, err := defaultClassifier()
	if err != nil {
		t.Fatal(err)
	}
	return cl
}
