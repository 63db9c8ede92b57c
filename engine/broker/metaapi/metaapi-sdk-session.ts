import type { MetaApiEvents, MetaApiOpener, MetaApiRpc, MetaApiSession } from './metaapi-shapes.ts';

export interface MetaApiSdkConfig {
  /** MetaApi API token (keep it out of the repo: pass it from the environment). */
  readonly token: string;
  /** The MetaApi id of the MT5 account (not the MT5 login). */
  readonly accountId: string;
  readonly region?: string;
  readonly syncTimeoutSeconds?: number;
  /** How long the SDK's subscribe waits for a symbol's first quote (default 5 s; the SDK's own default is 30 s). */
  readonly firstQuoteTimeoutSeconds?: number;
}

// The SDK's own types pull in old @types/node; the adapter is written against metaapi-shapes.ts.
interface SdkModule {
  default: new (token: string, opts?: { region?: string }) => SdkApi;
  SynchronizationListener: new () => object;
}
interface SdkApi {
  metatraderAccountApi: { getAccount(id: string): Promise<SdkAccount> };
  close(): void;
}
interface SdkAccount {
  state: string;
  deploy(): Promise<void>;
  waitConnected(timeoutInSeconds?: number): Promise<void>;
  getStreamingConnection(): SdkStreaming;
  getRPCConnection(): MetaApiRpc & { connect(): Promise<void>; waitSynchronized(timeoutInSeconds?: number): Promise<void>; close(): Promise<void> };
}
interface SdkStreaming {
  connect(): Promise<void>;
  waitSynchronized(opts?: { timeoutInSeconds?: number }): Promise<void>;
  subscribeToMarketData(symbol: string, subscriptions: { type: string; timeframe?: string }[], timeoutInSeconds?: number, waitForQuote?: boolean): Promise<unknown>;
  addSynchronizationListener(listener: object): void;
  readonly terminalState: { readonly connected: boolean };
  close(): Promise<void>;
}

/**
 * Opens a real MetaApi session. The SDK is imported here, on first use, so that nothing loads it
 * (or touches the network) unless the MetaApi broker is selected.
 *
 * @example
 * const broker = await MetaApiBroker.connect(metaApiSdkOpener({ token, accountId }), { symbols: ['EURUSD'] });
 */
export function metaApiSdkOpener(config: MetaApiSdkConfig): MetaApiOpener {
  if (!config.token || !config.accountId) throw new Error('metaapi: "token" and "accountId" are both required (MetaApi API token and the MetaApi account id)');
  return async (): Promise<MetaApiSession> => {
    const specifier = 'metaapi.cloud-sdk/esm-node';
    const sdk = (await import(specifier)) as SdkModule;
    const api = new sdk.default(config.token, config.region ? { region: config.region } : undefined);
    const timeout = config.syncTimeoutSeconds ?? 300;
    try {
      const account = await api.metatraderAccountApi.getAccount(config.accountId);
      if (account.state !== 'DEPLOYED') await account.deploy();
      await account.waitConnected(timeout);
      const stream = account.getStreamingConnection();
      await stream.connect();
      await stream.waitSynchronized({ timeoutInSeconds: timeout });
      const rpc = account.getRPCConnection();
      await rpc.connect();
      await rpc.waitSynchronized(timeout);
      return {
        rpc,
        subscribe: (symbol, subscriptions) => stream.subscribeToMarketData(symbol, subscriptions, config.firstQuoteTimeoutSeconds ?? 5),
        connected: () => stream.terminalState.connected,
        // The SDK calls every listener method; its base class supplies the ones we do not handle.
        listen: (events: MetaApiEvents) => stream.addSynchronizationListener(Object.assign(new sdk.SynchronizationListener(), events)),
        close: async () => {
          await stream.close().catch(() => undefined);
          await rpc.close().catch(() => undefined);
          api.close();
        },
      };
    } catch (err) {
      api.close();
      throw err;
    }
  };
}
