package objective

import (
	"fmt"

	"phasespace/sde"
)

// Weighting selects λ(t).
type Weighting int

const (
	// WeightEps is λ = ℓ_t⁻² (CLD), σ_t² (VP), ‖ε_θ − ε‖² (PSLD; sde.FactorR
	// over both parts): the sample-quality setting of all shipped
	// configurations.
	WeightEps Weighting = iota + 1
	// WeightML is λ = ½GGᵀ(t): the likelihood (ELBO-type) weighting.
	WeightML
)

// String returns "eps" or "ml" ("Weighting(k)" for an unknown value).
func (w Weighting) String() string {
	switch w {
	case WeightEps:
		return "eps"
	case WeightML:
		return "ml"
	}
	return fmt.Sprintf("Weighting(%d)", int(w))
}

// ParseWeighting maps "eps" and "ml" to a Weighting.
func ParseWeighting(s string) (Weighting, error) {
	switch s {
	case "eps":
		return WeightEps, nil
	case "ml":
		return WeightML, nil
	}
	return 0, fmt.Errorf("objective: unknown weighting %q (valid: eps, ml)", s)
}

// Config describes a training objective. Its zero fields mean the
// documented defaults, so a Config needs no preparation: every method reads
// the defaults through the same accessors, and none of them changes the
// caller's fields.
type Config struct {
	Process *sde.Process
	// Objective is HSM or DSM; 0 means HSM for CLD and PSLD, DSM for VP
	// (VP has no velocity, so HSM is an error there).
	Objective sde.Objective
	// Weighting is WeightEps or WeightML; 0 means WeightEps.
	Weighting Weighting
	// MixedScore adds CLD's analytic Gaussian part −v/Σᵛᵛ_HSM to the score
	// (ignored for VP and PSLD under sde.FactorL; an error with sde.FactorR).
	MixedScore bool
	// Param selects how the network output is mapped to the score; 0 means
	// sde.FactorL.
	//
	// sde.FactorL is each process's own parameterisation (the default): VP predicts
	// ε under σ_t (s = −ε_θ/σ_t), CLD only the velocity part, s_v = −ℓ_t·ε_θ
	// (ℓ_t = sde.Kernel.Ell, plus −v/Σᵛᵛ with Config.MixedScore) and s_x = 0,
	// PSLD ε under the HSM Cholesky factor L_t (s = −L_t⁻ᵀ ε_θ, the x part
	// only when Γ > 0).
	//
	// sde.FactorR learns the full ε under gDDIM's square root K_t = R_t of the
	// perturbation covariance (Zhang, Tao & Chen, ICLR 2023, Eq. 17; see
	// sde.RFactor and docs/method.md): for CLD and PSLD the network outputs
	// (ε̂ˣ, ε̂ᵛ) per coordinate, 2d values, and
	//
	//	s = −R_t⁻ᵀ ε̂,   R_t R_tᵀ = Σ_t,
	//
	// so both the position and the velocity score are learned. R_t is the R
	// factor of the HSM kernel (initial covariance diag(0, γM) for CLD,
	// diag(0, κM) for PSLD) whatever the training objective, as sde.FactorL uses
	// the HSM Cholesky factor for PSLD and the HSM Σᵛᵛ for CLD's mixed score:
	// the model describes the data's velocity law, which HSM assumes, and a
	// DSM-trained model is read with the same map. Concretely R_t = L_t·Q(θ_t)
	// with L_t the Cholesky factor of the HSM kernel covariance including
	// Process.NumericalEps and θ_t the angle of sde.RFactor (R_t Rᵀ_t = Σ_t of
	// Process.Kernel(t, HSM) exactly). For VP, R_t = σ_t and sde.FactorR is the same
	// model as sde.FactorL (the output is already the full ε); the CLI accepts
	// --param for CLD and PSLD only. sde.FactorR excludes Config.MixedScore.
	Param sde.Factor
	// LossEps is the smallest training time: t ~ U[LossEps, 1]; 0 means 1e-5.
	LossEps float64
	// ImportanceT samples t from a proposal ∝ ½tr(GGᵀΣ_t⁻¹) and reweights
	// by the density ratio, so the expected loss equals that of uniform t
	// while its variance is lower. Only meaningful with WeightML.
	ImportanceT bool

	prop *proposal // cache of the proposal, rebuilt when its inputs change
}

// DefaultLossEps is the smallest training time when Config.LossEps is 0.
const DefaultLossEps = 1e-5

// Validate reports whether the configuration is usable; it does not change
// c (zero fields mean their defaults). Prepare calls it on every batch, so
// a Config that was never validated trains the same model as one that was.
func (c *Config) Validate() error {
	if c.Process == nil {
		return fmt.Errorf("objective: no process")
	}
	if err := c.Process.Validate(); err != nil {
		return fmt.Errorf("objective: %w", err)
	}
	switch c.Objective {
	case 0, sde.HSM, sde.DSM:
	default:
		return fmt.Errorf("objective: unknown objective %d (valid: hsm, dsm)", int(c.Objective))
	}
	if err := c.checkObjective(); err != nil {
		return err
	}
	switch c.Weighting {
	case 0, WeightEps, WeightML:
	default:
		return fmt.Errorf("objective: unknown weighting %d (valid: eps, ml)", int(c.Weighting))
	}
	switch c.Param {
	case 0, sde.FactorL, sde.FactorR:
	default:
		return fmt.Errorf("objective: unknown parameterisation %d (valid: L, R)", int(c.Param))
	}
	if c.param() == sde.FactorR && c.MixedScore {
		return fmt.Errorf("objective: the mixed score is part of CLD's L parameterisation; R learns the full ε (turn the mixed score off)")
	}
	if eps := c.lossEps(); !(eps > 0 && eps < 1) {
		return fmt.Errorf("objective: loss eps %v, want 0 < eps < 1", eps)
	}
	if c.ImportanceT && c.weighting() != WeightML {
		return fmt.Errorf("objective: importance sampling of t applies to the ml weighting only")
	}
	return nil
}

// EffectiveObjective is Objective with 0 replaced by its default (HSM for
// CLD and PSLD, DSM for VP); c.Process must be set.
func (c *Config) EffectiveObjective() sde.Objective { return c.objective() }

// EffectiveWeighting is Weighting with 0 replaced by WeightEps.
func (c *Config) EffectiveWeighting() Weighting { return c.weighting() }

// EffectiveLossEps is LossEps with 0 replaced by DefaultLossEps.
func (c *Config) EffectiveLossEps() float64 { return c.lossEps() }

// ObjectiveFor parses the name of a score-matching objective for the
// process p (sde.ParseObjective): "" is what a zero Config.Objective means
// for p (HSM for CLD and PSLD, DSM for VP), and HSM, which perturbs only
// the velocity, is refused for a first-order process, which has none.
func ObjectiveFor(p *sde.Process, name string) (sde.Objective, error) {
	c := Config{Process: p}
	if name != "" {
		obj, err := sde.ParseObjective(name)
		if err != nil {
			return 0, fmt.Errorf("objective: %w", err)
		}
		c.Objective = obj
	}
	if err := c.checkObjective(); err != nil {
		return 0, err
	}
	return c.objective(), nil
}

// checkObjective refuses HSM for a first-order process.
func (c *Config) checkObjective() error {
	if c.Process.Order() == 1 && c.objective() == sde.HSM {
		return fmt.Errorf("objective: hsm needs a velocity; vp supports dsm only")
	}
	return nil
}

func (c *Config) objective() sde.Objective {
	if c.Objective != 0 {
		return c.Objective
	}
	if c.Process != nil && c.Process.Order() == 1 {
		return sde.DSM
	}
	return sde.HSM
}

func (c *Config) weighting() Weighting {
	if c.Weighting == 0 {
		return WeightEps
	}
	return c.Weighting
}

func (c *Config) lossEps() float64 {
	if c.LossEps == 0 {
		return DefaultLossEps
	}
	return c.LossEps
}

// InDim is the network input width for data dimension d: d (VP) or 2d.
func (c *Config) InDim(d int) int { return c.Process.Order() * d }

// OutDim is the network output width for data dimension d. sde.FactorL: d for
// VP and CLD (the velocity score) and for PSLD with Γ = 0; 2d for PSLD with
// Γ > 0. sde.FactorR: 2d for CLD and PSLD (ε̂ˣ then ε̂ᵛ), d for VP.
func (c *Config) OutDim(d int) int {
	if c.full() || c.Process.Kind == sde.PSLD && c.Process.Friction > 0 {
		return 2 * d
	}
	return d
}

// paramAt holds the affine map o ↦ s at one time, per coordinate.
type paramAt struct {
	kind sde.Kind
	both bool // PSLD with an x output, or sde.FactorR
	// sde.FactorR (CLD, PSLD): s = −R⁻ᵀo, o* = −Rᵀs*, loss form R⁻¹HR⁻ᵀ.
	full    bool
	r, rinv sde.Mat2
	gxv     float64 // off-diagonal of ½GGᵀ(t)
	// VP: sx = −ox·invStd. CLD: sv = −mix·v − ell·ov. PSLD: (sx, sv) = −L⁻ᵀ(ox, ov).
	invStd, mix, ell float64
	li11, li12, li22 float64
	gxx, gvv         float64 // diagonal of ½GGᵀ(t)
	kern             sde.Kernel
	chol             sde.Chol2 // L used by the parameterisation (HSM for CLD/PSLD)
}

func (c *Config) paramAt(t float64) (paramAt, error) {
	p := c.Process
	obj := c.objective()
	k, err := p.Kernel(t, obj)
	if err != nil {
		return paramAt{}, err
	}
	g := p.DiffusionSq(t)
	pa := paramAt{kind: p.Kind, kern: k, gxx: g.XX / 2, gxv: g.XV / 2, gvv: g.VV / 2}
	if c.full() {
		kh := k
		if obj != sde.HSM {
			if kh, err = p.Kernel(t, sde.HSM); err != nil {
				return paramAt{}, err
			}
		}
		rf, err := hsmRFactor(p)
		if err != nil {
			return paramAt{}, err
		}
		// R = L·Q(θ(B(t))) as sde.RFactor.Kernel, written out so that t = 0
		// (θ = 0 under HSM) works wherever the kernel's L does.
		pa.full, pa.both, pa.chol = true, true, kh.L
		pa.r = kh.L.Mat().Mul(sde.Rotation(rf.Angle(p.Schedule.Integral(t))))
		pa.rinv = pa.r.Inv()
		return pa, nil
	}
	switch p.Kind {
	case sde.VP:
		pa.invStd = 1 / k.L.L11
		pa.chol = k.L
	case sde.CLD:
		pa.ell = k.Ell()
		if c.MixedScore {
			kh := k
			if obj != sde.HSM {
				if kh, err = p.Kernel(t, sde.HSM); err != nil {
					return paramAt{}, err
				}
			}
			pa.mix = 1 / kh.Sigma.VV
		}
	case sde.PSLD:
		kh := k
		if obj != sde.HSM {
			if kh, err = p.Kernel(t, sde.HSM); err != nil {
				return paramAt{}, err
			}
		}
		pa.chol = kh.L
		pa.li11, pa.li12, pa.li22 = kh.L.InvT()
		pa.both = p.Friction > 0
	default:
		return paramAt{}, fmt.Errorf("%s", unknownKind(p.Kind))
	}
	return pa, nil
}

// scoreOf writes the score for one coordinate from the outputs.
func (pa *paramAt) scoreOf(x, v, ox, ov float64) (sx, sv float64) {
	if pa.full {
		// s = −R⁻ᵀo: (R⁻ᵀ)_xv = (R⁻¹)_vx.
		return -(pa.rinv.XX*ox + pa.rinv.VX*ov), -(pa.rinv.XV*ox + pa.rinv.VV*ov)
	}
	switch pa.kind {
	case sde.VP:
		return -ox * pa.invStd, 0
	case sde.CLD:
		return 0, -pa.mix*v - pa.ell*ov
	case sde.PSLD:
		if !pa.both {
			return 0, -pa.li22 * ov
		}
		return -(pa.li11*ox + pa.li12*ov), -pa.li22 * ov
	}
	panic(unknownKind(pa.kind))
}

// unknownKind is the panic message of the per-coordinate maps for a kind
// outside VP, CLD and PSLD, which Config.Validate refuses.
func unknownKind(k sde.Kind) string {
	return fmt.Sprintf("objective: unknown SDE kind %v (valid: vp, cld, psld; Config.Validate refuses it)", k)
}

// targetOf returns the output-space target (ox*, ov*) for a conditional
// score target (sx*, sv*) at state (x, v).
func (pa *paramAt) targetOf(x, v, sx, sv float64) (float64, float64) {
	if pa.full {
		// o* = −Rᵀs*.
		return -(pa.r.XX*sx + pa.r.VX*sv), -(pa.r.XV*sx + pa.r.VV*sv)
	}
	switch pa.kind {
	case sde.VP:
		return -sx / pa.invStd, 0
	case sde.CLD:
		return 0, (sv + pa.mix*v) / -pa.ell
	case sde.PSLD:
		// o* = −Lᵀ s*: (ox, ov) = −(L11 sx + L21 sv, L22 sv).
		l := pa.chol
		if !pa.both {
			return 0, -l.L22 * sv
		}
		return -(l.L11*sx + l.L21*sv), -l.L22 * sv
	}
	panic(unknownKind(pa.kind))
}

// quad returns the per-coordinate quadratic form Q of the loss (o−o*)ᵀQ(o−o*)
// in output space for weighting w: entries over (ox, ov).
func (pa *paramAt) quad(w Weighting) (qxx, qxv, qvv float64) {
	if pa.full {
		if w == WeightEps {
			return 1, 0, 1
		}
		// Pᵀ(½GGᵀ)P with P = −R⁻ᵀ: R⁻¹·H·R⁻ᵀ.
		q := pa.rinv.Sandwich(sde.Sym2{XX: pa.gxx, XV: pa.gxv, VV: pa.gvv})
		return q.XX, q.XV, q.VV
	}
	if w == WeightEps {
		switch pa.kind {
		case sde.VP:
			return 1, 0, 0
		case sde.CLD:
			return 0, 0, 1
		case sde.PSLD:
			if !pa.both {
				return 0, 0, 1
			}
			return 1, 0, 1
		}
		panic(unknownKind(pa.kind))
	}
	// ML: Pᵀ (½GGᵀ) P.
	switch pa.kind {
	case sde.VP:
		return pa.gxx * pa.invStd * pa.invStd, 0, 0
	case sde.CLD:
		return 0, 0, pa.gvv * pa.ell * pa.ell
	case sde.PSLD:
		// s − s* = −[[li11, li12], [0, li22]] δ.
		if !pa.both {
			// Γ = 0: no x output and no x noise (gxx = 0).
			return 0, 0, pa.gvv * pa.li22 * pa.li22
		}
		return pa.gxx * pa.li11 * pa.li11,
			pa.gxx * pa.li11 * pa.li12,
			pa.gxx*pa.li12*pa.li12 + pa.gvv*pa.li22*pa.li22
	}
	panic(unknownKind(pa.kind))
}
