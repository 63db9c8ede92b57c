import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';

export const ErrorDataCodec = t.intersection([
  t.type({ error: t.string, traceback: t.string }),
  t.partial({ symbol: t.string, source: t.string }),
]);
export type ErrorData = t.TypeOf<typeof ErrorDataCodec>;
export const ErrorEventCodec = envelopeOf('ERROR', ErrorDataCodec);
export type ErrorEvent = t.TypeOf<typeof ErrorEventCodec>;
