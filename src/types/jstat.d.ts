// The part of jStat (https://jstat.github.io) Vitals uses; the package ships no types.
declare module "jstat" {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    pdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  export const jStat: {
    normal: Distribution;
    studentt: Distribution;
    binomial: Omit<Distribution, "inv">;
    hypgeom: Omit<Distribution, "inv">;
    chisquare: Distribution;
    beta: Distribution;
  };
  const _default: { jStat: typeof jStat };
  export default _default;
}
