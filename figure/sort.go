package figure

import "sort"

func sortFloats(v []float64) { sort.Float64s(v) }
