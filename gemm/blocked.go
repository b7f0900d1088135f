package gemm

import (
	"runtime"
	"sync"

	"phasespace/internal/parallel"
)

// kStep returns the K block size: K cut into the fewest blocks of at most
// kcBlock, of equal size (288 = 2 × 144, not 256 + 32: a thin last block
// spends its time reading and writing C).
func kStep(k int) int {
	blocks := max(1, (k+kcBlock-1)/kcBlock)
	return (k + blocks - 1) / blocks
}

// Cache blocking: kc rows of packed B (kc×nc, ≈ L2/L3) are reused by every
// mc×kc packed A block (≈ L1/L2) of one goroutine.
const (
	kcBlock = 256
	mcBlock = 96 // multiple of mr
	ncBlock = 2048
)

var bufPool = sync.Pool{New: func() any { s := make([]float32, 0); return &s }}

func getBuf(n int) *[]float32 {
	p := bufPool.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// Goroutines returns how many goroutines SgemmThreads(threads, …) uses for
// an m×n×k product: threads (≤ 0: runtime.GOMAXPROCS(0) at the call), or 1
// for products too small to split. Sgemm is SgemmThreads with threads = 0.
func Goroutines(threads, m, n, k int) int { return goroutines(resolveThreads(threads), m, n, k) }

// resolveThreads returns threads, or GOMAXPROCS for threads ≤ 0.
func resolveThreads(threads int) int {
	if threads <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return threads
}

func goroutines(nt, m, n, k int) int {
	if m*n*k < 1<<18 {
		return 1
	}
	return nt
}

// blocked computes C += alpha·op(A)·op(B); C has been scaled by beta already.
// The path depends on the shape only: products with N ≤ fewColsMax are
// computed as their transpose by the few-rows kernels (fewCols), op(A)·B
// with K ≤ smallKMax row by row (smallK) or with M ≤ fewRowsMax by the
// few-rows kernels (fewRows), untransposed B with few rows of C or a small A is read
// in place (inPlaceB), transposed B with few rows of C is the transposed
// product (transposedProduct), anything else packs B and splits row blocks
// of C over goroutines, or column blocks when C has too few row blocks.
//
// Every path gives each element of C the same sum, a function of K alone
// (not of M, N, the element's position, the path or the thread count): K
// cut into the blocks of kStep(k); in each block the FMA chain
// s = fma(a_p, b_p, s) from s = 0 over p in order (alpha ≠ 1: a_p rounded
// as alpha·a_p first); the blocks' sums added to C in order (the first
// one stored when overwriting). So row i of C is the same bits whatever
// the other rows, and sample i of a batch does not depend on the batch
// size (docs/samplers.md).
//
// With overwrite (beta = 0) C has not been cleared: the first K block
// overwrites it.
func blocked(nt int, ta, tb bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, overwrite bool) {
	nt = goroutines(nt, m, n, k)
	if useFewCols(n, alpha) {
		fewCols(nt, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, overwrite)
		return
	}
	if useSmallK(tb, n, k, alpha) {
		smallK(nt, ta, m, n, k, a, lda, b, ldb, c, ldc, overwrite)
		return
	}
	if useFewRows(tb, m, n, alpha) {
		fewRows(nt, ta, m, n, k, a, lda, b, ldb, c, ldc, overwrite)
		return
	}
	if fewRows := m <= inPlaceRows && n > m; n >= 2*nr && (fewRows || !tb && m*k <= inPlaceMaxA) {
		// Few rows, more columns (convolutions), or an A small enough to
		// stay in cache while each goroutine runs all of it past its
		// strips of B (the MLP's products with untransposed B).
		if !tb {
			inPlaceB(ta, m, n, k, alpha, a, lda, b, ldb, c, ldc, nt, overwrite)
			return
		}
		if alpha == 1 {
			// (With alpha ≠ 1 the transposed product would fold alpha
			// into B instead of A: other roundings.)
			transposedProduct(nt, ta, m, n, k, a, lda, b, ldb, c, ldc, overwrite)
			return
		}
	}
	mBlocks := (m + mcBlock - 1) / mcBlock
	nBlocks := (n + ncBlock - 1) / ncBlock
	if nt > 1 && mBlocks < nt && nBlocks >= nt {
		// Fewer row blocks than goroutines, many columns: split the columns.
		parallel.Split(nBlocks, nt, func(lo, hi int) {
			for jb := lo; jb < hi; jb++ {
				jc := jb * ncBlock
				colBlock(ta, tb, m, min(ncBlock, n-jc), k, jc, alpha, a, lda, b, ldb, c, ldc, 1, overwrite)
			}
		})
		return
	}
	for jc := 0; jc < n; jc += ncBlock {
		colBlock(ta, tb, m, min(ncBlock, n-jc), k, jc, alpha, a, lda, b, ldb, c, ldc, nt, overwrite)
	}
}

// colBlock multiplies into the columns jc..jc+nc of C, over all K, with nt
// goroutines splitting the row blocks, or, when C has fewer row blocks than
// goroutines, the column panels: then all of A is packed once and each
// goroutine packs and multiplies its own panels of B.
func colBlock(ta, tb bool, m, nc, k, jc int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, nt int, overwrite bool) {
	ncPad := (nc + nr - 1) / nr * nr
	mBlocks := (m + mcBlock - 1) / mcBlock
	panels := ncPad / nr
	splitCols := nt > 1 && mBlocks < nt && panels >= 2*nt
	if !splitCols && k > kcBlock && k*ncPad <= wholeB {
		colBlockWholeB(ta, tb, m, nc, k, jc, alpha, a, lda, b, ldb, c, ldc, nt, overwrite)
		return
	}
	for pc, step := 0, kStep(k); pc < k; pc += step {
		kc := min(step, k-pc)
		ow := overwrite && pc == 0
		pb := getBuf(kc * ncPad)
		// packRange packs the B panels lo..hi of this block.
		packRange := func(lo, hi int) {
			q0, q1 := lo*nr, min(hi*nr, nc)
			packB((*pb)[q0*kc:], tb, b, ldb, pc, kc, jc+q0, q1-q0)
		}
		if splitCols {
			mPad := (m + mr - 1) / mr * mr
			pa := getBuf(kc * mPad)
			packA(*pa, ta, a, lda, alpha, 0, m, pc, kc)
			parallel.Split(panels, nt, func(lo, hi int) {
				packRange(lo, hi)
				q0, q1 := lo*nr, min(hi*nr, nc)
				tmp := getBuf(mr * 2 * nr)
				macroKernel(kc, *pa, mr*kc, mr, 1, 0, m, *pb, q0, q1, jc, c, ldc, *tmp, ow)
				bufPool.Put(tmp)
			})
			bufPool.Put(pa)
			bufPool.Put(pb)
			continue
		}
		// B is packed by all goroutines (panel ranges), then multiplied:
		// packing alone is 3–8% of an MLP-sized product.
		parallel.Split(panels, nt, packRange)
		parallel.Split((m+mr-1)/mr, nt, func(lo, hi int) {
			rowPanels(lo, hi, ta, m, nc, pc, kc, jc, alpha, a, lda, *pb, c, ldc, ow)
		})
		bufPool.Put(pb)
	}
}

// wholeB is the most floats of packed B (all of K) that colBlock packs at
// once, so that the goroutines hand off twice per product instead of twice
// per K block.
const wholeB = 1 << 18

// colBlockWholeB is colBlock's row split with all K blocks of B packed
// first (block pc at pc·ncPad), then each goroutine running its row panels
// through every K block: the same sums in the same order, two hand-offs.
func colBlockWholeB(ta, tb bool, m, nc, k, jc int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, nt int, overwrite bool) {
	ncPad := (nc + nr - 1) / nr * nr
	pb := getBuf(k * ncPad)
	defer bufPool.Put(pb)
	parallel.Split(ncPad/nr, nt, func(lo, hi int) {
		q0, q1 := lo*nr, min(hi*nr, nc)
		for pc, step := 0, kStep(k); pc < k; pc += step {
			kc := min(step, k-pc)
			packB((*pb)[pc*ncPad+q0*kc:], tb, b, ldb, pc, kc, jc+q0, q1-q0)
		}
	})
	parallel.Split((m+mr-1)/mr, nt, func(lo, hi int) {
		for pc, step := 0, kStep(k); pc < k; pc += step {
			kc := min(step, k-pc)
			rowPanels(lo, hi, ta, m, nc, pc, kc, jc, alpha, a, lda, (*pb)[pc*ncPad:], c, ldc, overwrite && pc == 0)
		}
	})
}

// rowPanels multiplies the mr-row panels lo..hi of op(A), columns pc..pc+kc,
// by the packed B block pb into columns jc..jc+nc of C, in blocks of at most
// mcBlock rows. Goroutines take contiguous panel ranges (balanced to one
// panel, where whole mc blocks could leave one goroutine a third more
// rows). With alpha = 1 (every call of the engine) the kernel reads whole
// 6-row panels of A in place, transposed or not: no packing, the same sums
// in the same order.
func rowPanels(lo, hi int, ta bool, m, nc, pc, kc, jc int, alpha float32, a []float32, lda int, pb, c []float32, ldc int, ow bool) {
	pa := getBuf(kc * mcBlock)
	tmp := getBuf(mr * 2 * nr)
	end := min(hi*mr, m)
	for ic := lo * mr; ic < end; ic += mcBlock {
		mc := min(mcBlock, end-ic)
		// Rows ic..packed are read in place (whole 6-row panels); the rest
		// (all, or a last partial panel past which A has no rows) is packed.
		packed := ic
		if alpha == 1 {
			packed = ic + mc/mr*mr
		}
		if packed > ic {
			sp, sr := aSP(ta, lda), aSR(ta, lda)
			macroKernel(kc, inPlaceA(ta, a, lda, pc)[ic*sr:], mr*sr, sp, sr, ic, packed-ic, pb, 0, nc, jc, c, ldc, *tmp, ow)
		}
		if rest := ic + mc - packed; rest > 0 {
			packA(*pa, ta, a, lda, alpha, packed, rest, pc, kc)
			macroKernel(kc, *pa, mr*kc, mr, 1, packed, rest, pb, 0, nc, jc, c, ldc, *tmp, ow)
		}
	}
	bufPool.Put(pa)
	bufPool.Put(tmp)
}

// transposedProduct computes C (+)= op(A)·Bᵀ for a transposed B and few
// rows of C as the transposed product T = B·op(A)ᵀ (n × m, B read in place
// as A of that product, op(A)ᵀ packed: for a weight gradient dW = dY·Xᵀ
// with few output channels this transposes dY instead of the larger X),
// then adds Tᵀ into C. Overwriting, T holds all K blocks' sums added in
// order, as C would; adding, T is one K block at a time, added to C after
// each, so that C's sums run in the same order as on the other paths.
func transposedProduct(nt int, ta bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, overwrite bool) {
	t := getBuf(n * m)
	defer bufPool.Put(t)
	step := k
	if !overwrite {
		step = kStep(k)
	}
	for pc := 0; pc < k; pc += step {
		kc := min(step, k-pc)
		ap := a[pc:]
		if ta {
			ap = a[pc*lda:]
		}
		blocked(nt, false, !ta, n, m, kc, 1, b[pc:], ldb, ap, lda, *t, m, true)
		addTransposed(nt, m, n, *t, c, ldc, overwrite)
	}
}

// addTransposed adds (or with overwrite copies) Tᵀ, T n×m, into the m×n C.
func addTransposed(nt, m, n int, t, c []float32, ldc int, overwrite bool) {
	parallel.Split(m, min(nt, max(1, m*n/16384)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := c[i*ldc : i*ldc+n]
			if overwrite {
				for j := range row {
					row[j] = t[j*m+i]
				}
				continue
			}
			for j := range row {
				row[j] += t[j*m+i]
			}
		}
	})
}

// inPlaceRows is the most rows of C for which B is read where it lies
// instead of packed: with few rows each value of B serves few
// multiply-adds, and packing it costs about as much as the product.
var inPlaceRows = 192

// inPlaceMaxA is the largest op(A), in floats (1 MiB), for which an
// untransposed B is read in place whatever the number of rows: every
// goroutine multiplies all of A by each of its strips of B, so A must stay
// in its L2. The MLP's 512×256 products gain 10–20% over packing B; a
// 1024×1024 A does not fit and loses 20%.
var inPlaceMaxA = 1 << 18

// inPlaceB computes C (+)= alpha·op(A)·B for an untransposed B and few rows
// (m ≤ inPlaceRows) or a small A (m·k ≤ inPlaceMaxA). The goroutines split
// the columns of C in 32-wide strips and run through all of K on their own
// (no hand-off per K block): each multiplies every 6-row panel of op(A)
// (read in place when alpha = 1, else packed) by the strip's 32 columns of
// B read in place (row stride ldb), which stay in L1 across the panels. A
// last strip of fewer than 32 columns is packed. Every element gets the
// same sums, in the same order, as through packed panels.
func inPlaceB(ta bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, nt int, overwrite bool) {
	const w = 2 * nr
	full := n / w
	strips := (n + w - 1) / w
	whole := m / mr * mr // rows in whole panels
	if alpha != 1 {
		whole = 0
	}
	// The rows not read in place (a last partial panel, or all with
	// alpha ≠ 1) are packed once, every K block at pc·restPad, before the
	// split: the goroutines share them.
	restPad := (m - whole + mr - 1) / mr * mr
	var pa *[]float32
	if whole < m {
		pa = getBuf(restPad * k)
		defer bufPool.Put(pa)
		for pc, step := 0, kStep(k); pc < k; pc += step {
			packA((*pa)[pc*restPad:], ta, a, lda, alpha, whole, m-whole, pc, min(step, k-pc))
		}
	}
	parallel.Split(strips, min(nt, strips), func(lo, hi int) {
		tmp := getBuf(mr * 2 * nr)
		defer bufPool.Put(tmp)
		pb := getBuf(kcBlock * w)
		defer bufPool.Put(pb)
		sp, sr := aSP(ta, lda), aSR(ta, lda)
		for pc, step := 0, kStep(k); pc < k; pc += step {
			kc := min(step, k-pc)
			ow := overwrite && pc == 0
			ap := inPlaceA(ta, a, lda, pc)
			var rest []float32 // this K block's packed rows
			if pa != nil {
				rest = (*pa)[pc*restPad:]
			}
			for s := lo; s < hi; s++ {
				j0 := s * w
				if s == full { // the last, narrower strip: packed
					packB(*pb, false, b, ldb, pc, kc, j0, n-j0)
					if whole > 0 {
						macroKernel(kc, ap, mr*sr, sp, sr, 0, whole, *pb, 0, n-j0, j0, c, ldc, *tmp, ow)
					}
					if whole < m {
						macroKernel(kc, rest, mr*kc, mr, 1, whole, m-whole, *pb, 0, n-j0, j0, c, ldc, *tmp, ow)
					}
					continue
				}
				bs := b[pc*ldb+j0:]
				for ir := 0; ir < whole; ir += mr {
					kernel2(kc, ap[ir*sr:], sp, sr, bs, ldb, nr, c[ir*ldc+j0:], ldc, ow)
				}
				for ir := whole; ir < m; ir += mr {
					apanel := rest[(ir-whole)*kc:]
					cc := ir*ldc + j0
					if rows := min(mr, m-ir); rows < mr { // A zero-padded: one wide call into tmp
						kernel2(kc, apanel, mr, 1, bs, ldb, nr, *tmp, 2*nr, true)
						addTile(c[cc:], ldc, *tmp, 2*nr, rows, 2*nr, ow)
						continue
					}
					kernel2(kc, apanel, mr, 1, bs, ldb, nr, c[cc:], ldc, ow)
				}
			}
		}
	})
}

// inPlaceA returns op(A) from column pc on, read in place: row i, column
// p at [aSP·p + aSR·i] (A: p steps a column, rows lda apart; Aᵀ: p steps a
// row of the stored A, rows adjacent).
func inPlaceA(ta bool, a []float32, lda, pc int) []float32 {
	if ta {
		return a[pc*lda:]
	}
	return a[pc:]
}

func aSP(ta bool, lda int) int {
	if ta {
		return lda
	}
	return 1
}

func aSR(ta bool, lda int) int {
	if ta {
		return 1
	}
	return lda
}

// macroKernel adds the product of A rows ic..ic+mc and packed B columns
// q0..q1 of the block (pb, nr-wide panels) into C at rows ic.., columns
// jc+q0..; edge tiles go through tmp (mr×2nr). The mr-row panels of A start
// pstep floats apart in pa, with strides (sp, sr) as the kernel takes them:
// packed (mr·kc, mr, 1) or in place (mr·lda, 1, lda). With overwrite the
// products replace C. Where the wide kernel is in use, whole tiles take two
// adjacent panels at once.
func macroKernel(kc int, pa []float32, pstep, sp, sr int, ic, mc int, pb []float32, q0, q1, jc int, c []float32, ldc int, tmp []float32, overwrite bool) {
	step := nr
	if wideKernel {
		step = 2 * nr
	}
	for jr := q0; jr < q1; jr += step {
		width := min(step, q1-jr)
		for ir := 0; ir < mc; ir += mr {
			apanel := pa[ir/mr*pstep:]
			rows := min(mr, mc-ir)
			cc := (ic+ir)*ldc + jc + jr
			switch {
			case rows == mr && width == 2*nr:
				kernel2(kc, apanel, sp, sr, pb[jr*kc:jr*kc+2*nr*kc], nr, nr*kc, c[cc:], ldc, overwrite)
			case width > nr:
				// An edge tile of two panels (the second partial, zero
				// padded, or rows of a zero-padded packed A): one wide call
				// into tmp.
				kernel2(kc, apanel, sp, sr, pb[jr*kc:jr*kc+2*nr*kc], nr, nr*kc, tmp, 2*nr, true)
				addTile(c[cc:], ldc, tmp, 2*nr, rows, width, overwrite)
			default:
				tile(kc, apanel, sp, sr, pb[jr*kc:jr*kc+nr*kc], nr, rows, width, c[cc:], ldc, tmp, overwrite)
			}
		}
	}
}

// addTile adds (or with overwrite copies) the rows×cols corner of t (row
// stride ldt) into C at c.
func addTile(c []float32, ldc int, t []float32, ldt, rows, cols int, overwrite bool) {
	for r := 0; r < rows; r++ {
		dst, src := c[r*ldc:r*ldc+cols], t[r*ldt:r*ldt+cols]
		if overwrite {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] += v
		}
	}
}

// tile multiplies one A panel by one B panel (rows sb floats apart) into the
// rows×cols corner of C at c, through tmp when the tile is not whole.
func tile(kc int, apanel []float32, sp, sr int, bpanel []float32, sb, rows, cols int, c []float32, ldc int, tmp []float32, overwrite bool) {
	if rows == mr && cols == nr {
		kernel(kc, apanel, sp, sr, bpanel, sb, c, ldc, overwrite)
		return
	}
	kernel(kc, apanel, sp, sr, bpanel, sb, tmp, nr, true)
	addTile(c, ldc, tmp, nr, rows, cols, overwrite)
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into nr-wide panels: panel q holds
// rows p = 0..kc-1 of columns jc+q·nr .. +nr, zero-padded on the right. Reads
// follow memory order of the stored B (rows of B, or rows of Bᵀ when tb).
func packB(dst []float32, tb bool, b []float32, ldb, pc, kc, jc, nc int) {
	if full := nc / nr * nr; !tb && full > 0 {
		// Row by row, so that B is read sequentially (hardware prefetch),
		// 16 values at a time into successive panels (copyPanels: vector
		// moves, where copy or array assignment calls memmove every 64
		// bytes).
		for p := 0; p < kc; p++ {
			copyPanels(dst[p*nr:], kc*nr, b[(pc+p)*ldb+jc:(pc+p)*ldb+jc+full])
		}
		if full == nc {
			return
		}
		packB(dst[full*kc:], tb, b, ldb, pc, kc, jc+full, nc-full)
		return
	}
	for q := 0; q < nc; q += nr {
		panel := dst[q*kc : q*kc+nr*kc]
		cols := min(nr, nc-q)
		if tb && cols == nr {
			packPanelT(panel, b[(jc+q)*ldb+pc:], ldb, kc)
			continue
		}
		if tb {
			for j := 0; j < cols; j++ {
				src := b[(jc+q+j)*ldb+pc : (jc+q+j)*ldb+pc+kc]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
			for j := cols; j < nr; j++ {
				for p := 0; p < kc; p++ {
					panel[p*nr+j] = 0
				}
			}
			continue
		}
		for p := 0; p < kc; p++ {
			row := panel[p*nr : p*nr+nr]
			copy(row[:cols], b[(pc+p)*ldb+jc+q:(pc+p)*ldb+jc+q+cols])
			for j := cols; j < nr; j++ {
				row[j] = 0
			}
		}
	}
}

// packA copies alpha·op(A)[ic:ic+mc, pc:pc+kc] into mr-tall panels: panel
// holds, for each p, the mr values of rows ir..ir+mr (zero-padded). Reads
// follow the memory order of the stored A.
func packA(dst []float32, ta bool, a []float32, lda int, alpha float32, ic, mc, pc, kc int) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : ir*kc+mr*kc]
		rows := min(mr, mc-ir)
		if ta && rows == mr && alpha == 1 {
			// Six adjacent values of a row of the stored A per p: one
			// fixed-size (vector) copy each.
			for p := 0; p < kc; p++ {
				off := (pc+p)*lda + ic + ir
				*(*[mr]float32)(panel[p*mr:]) = *(*[mr]float32)(a[off : off+mr])
			}
			continue
		}
		if rows == mr && !ta {
			packA6(panel, a, lda, alpha, ic+ir, pc, kc)
			continue
		}
		// A partial panel (or alpha ≠ 1): zeros, then the rows.
		clear(panel)
		if ta {
			// Index arithmetic, no slice per p: with one or two rows
			// (the MLP output layer's weight gradient) the slicing cost
			// more than the copying.
			src := a[pc*lda+ic+ir:]
			for p := 0; p < kc; p++ {
				o, q := p*lda, p*mr
				for r := 0; r < rows; r++ {
					panel[q+r] = alpha * src[o+r]
				}
			}
			continue
		}
		for r := 0; r < rows; r++ {
			src := a[(ic+ir+r)*lda+pc : (ic+ir+r)*lda+pc+kc]
			for p, v := range src {
				panel[p*mr+r] = alpha * v
			}
		}
	}
}

// packA6 interleaves six full rows of untransposed A (rows i.., columns
// pc..pc+kc) into panel, writing it sequentially.
func packA6(panel, a []float32, lda int, alpha float32, i, pc, kc int) {
	r0 := a[i*lda+pc : i*lda+pc+kc]
	r1 := a[(i+1)*lda+pc : (i+1)*lda+pc+kc]
	r2 := a[(i+2)*lda+pc : (i+2)*lda+pc+kc]
	r3 := a[(i+3)*lda+pc : (i+3)*lda+pc+kc]
	r4 := a[(i+4)*lda+pc : (i+4)*lda+pc+kc]
	r5 := a[(i+5)*lda+pc : (i+5)*lda+pc+kc]
	panel = panel[:mr*kc]
	for p := range r0 {
		d := panel[p*mr : p*mr+mr : p*mr+mr]
		d[0] = alpha * r0[p]
		d[1] = alpha * r1[p]
		d[2] = alpha * r2[p]
		d[3] = alpha * r3[p]
		d[4] = alpha * r4[p]
		d[5] = alpha * r5[p]
	}
}
