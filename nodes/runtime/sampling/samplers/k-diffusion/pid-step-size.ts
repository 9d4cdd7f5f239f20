/**
 * k-diffusion's PIDStepSizeController: scales the step size h by a PID function of the inverse error history
 * (softened by 1 + atan(f − 1)) and accepts the step when that factor reaches accept_safety.
 */
export class PidStepSize {
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  private errors: [number, number, number] | undefined;

  constructor(
    public h: number,
    pcoeff: number,
    icoeff: number,
    dcoeff: number,
    order: number,
    private readonly acceptSafety: number,
    private readonly eps = 1e-8,
  ) {
    this.b1 = (pcoeff + icoeff + dcoeff) / order;
    this.b2 = -(pcoeff + 2 * dcoeff) / order;
    this.b3 = dcoeff / order;
  }

  /** Updates h from this step's error; true when the step is accepted. */
  proposeStep(error: number): boolean {
    const inverse = 1 / (error + this.eps);
    const errors: [number, number, number] = this.errors ?? [inverse, inverse, inverse];
    errors[0] = inverse;
    const factor = 1 + Math.atan(errors[0] ** this.b1 * errors[1] ** this.b2 * errors[2] ** this.b3 - 1);
    const accept = factor >= this.acceptSafety;
    if (accept) {
      errors[2] = errors[1];
      errors[1] = errors[0];
    }
    this.errors = errors;
    this.h *= factor;
    return accept;
  }
}
