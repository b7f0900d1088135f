package classifier_test

import (
	"fmt"

	"phasespace/classifier"
)

// An (untrained) 14×14 classifier maps each image to a predicted class and
// a 128-d feature vector.
func Example() {
	net, err := classifier.New(14, 1)
	if err != nil {
		panic(err)
	}
	images := make([]byte, 3*14*14) // three blank images
	pred, feats := net.Evaluate(images, 3)
	fmt.Println(len(pred), len(feats)/len(pred), pred[0] == pred[1] && pred[1] == pred[2])
	// Output: 3 128 true
}
