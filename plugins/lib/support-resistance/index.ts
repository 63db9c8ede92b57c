export { AverageTrueRange } from './average-true-range.ts';
export type { SupportResistanceConfig, LevelView } from './support-resistance.ts';
export { SupportResistance, DEFAULT_SUPPORT_RESISTANCE, isSwingHigh, isSwingLow } from './support-resistance.ts';
