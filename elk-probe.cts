import { layoutMachine } from '/work/wt/i15/ui/src/features/state-machine/elk-layout.ts';
import { SYMBOL_STATES, SYMBOL_TRANSITIONS } from '/work/wt/i15/protocol/index.ts';
layoutMachine(SYMBOL_STATES, SYMBOL_TRANSITIONS).then((l) => {
  console.log(l.width, l.height);
  for (const e of l.edges) console.log(e.from, e.to, JSON.stringify(e.label), e.d.slice(0, 60));
  for (const n of l.nodes) console.log(n);
});
