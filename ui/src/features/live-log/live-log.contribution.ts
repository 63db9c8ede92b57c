import { registry } from '../../platform/registry.ts';
import LogPanel from './LogPanel.svelte';

registry.registerView({ id: 'log', title: 'Log', location: 'panel', order: 10, component: LogPanel });
