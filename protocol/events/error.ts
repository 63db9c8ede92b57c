import * as t from 'io-ts';
import { envelopeOf } from '../envelope.ts';

export const ErrorDataCodec = t.intersection([
  t.type({ error: t.string, traceback: t.string }),
  t.partial({
    symbol: t.string,
    source: t.string,
    /** The position the failed action was for (a close the terminal refused or filled only in part). */
    ticket: t.number,
    /** What failed on `ticket`, for a reader that must not parse `error`'s text (the journal forgets the user's close request). */
    action: t.keyof({ close: null }),
  }),
]);
export type ErrorData = t.TypeOf<typeof ErrorDataCodec>;
export const ErrorEventCodec = envelopeOf('ERROR', ErrorDataCodec);
export type ErrorEvent = t.TypeOf<typeof ErrorEventCodec>;
