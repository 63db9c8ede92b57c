export { patternsSr, type PatternsSrState } from './patterns-sr.ts';
export { PatternsSrConfigCodec, DEFAULT_PATTERNS_SR_CONFIG, type PatternsSrConfig } from './patterns-sr-config.ts';
