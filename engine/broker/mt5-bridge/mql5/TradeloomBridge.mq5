//+------------------------------------------------------------------+
//| TradeloomBridge.mq5                                              |
//| Connects a MetaTrader 5 terminal to the tradeloom engine over a  |
//| TCP socket (bridge protocol v1, see ../PROTOCOL.md).             |
//|                                                                  |
//| MQL5 sockets are client-only, so the engine listens and this EA  |
//| connects to it. The address (127.0.0.1) must be allowed under    |
//| Tools > Options > Expert Advisors ("Allow WebRequest for listed  |
//| URL"), and algorithmic trading must be enabled. For a link that  |
//| leaves the machine set InpTls (the engine then needs a cert).    |
//|                                                                  |
//| NOTE: written without access to MetaEditor; it has not been      |
//| compiled or run here. See engine/broker/README.md.               |
//+------------------------------------------------------------------+
#property copyright "tradeloom"
#property version   "1.20"
#property description "Socket bridge to the tradeloom engine: ticks, closed bars, account, positions, deals, orders."

input string          InpHost        = "127.0.0.1";   // Engine host (must be in the allowed list)
input uint            InpPort        = 5555;          // Engine port
input string          InpSecret      = "";            // Shared secret, 32+ characters (same as the engine's)
input bool            InpTls         = false;         // TLS (required when the engine is not on this machine)
input string          InpSymbols     = "EURUSD";      // Symbols to stream, comma separated
input ENUM_TIMEFRAMES InpTimeframe   = PERIOD_M1;     // Timeframe of the closed bars sent
input uint            InpTimerMs     = 100;           // Poll period for socket, ticks and bars

#define PROTOCOL_VERSION 1
#define EA_NAME          "TradeloomBridge 1.20"
#define STATE_DOWN       0
#define STATE_HELLO      1
#define STATE_READY      2
#define DEDUPE_SIZE      64
#define MIN_SECRET       32
#define TICKS_PER_POLL   200     // conflation: at most this many ticks per symbol per poll (the newest)
#define STABLE_MS        60000   // backoff resets only after a session stayed up this long
#define REFUSED_WAIT_MS  60000   // after "another EA is already connected"
#define STORE_PREFIX     "TLB."  // terminal global variables: TLB.<login>.<client id> = deal ticket (-1 while sending)
#define STORE_DAYS       7
#define OFFSET_ROUND_S   900     // the server's offset from UTC is read off two clocks: rounded to the quarter hour

int      g_socket        = INVALID_HANDLE;
bool     g_tls           = false;
int      g_state         = STATE_DOWN;
uchar    g_rx[];                         // bytes received, not yet split into lines
string   g_symbols[];
long     g_lastTickMsc[];
int      g_lastTickSame[];                // ticks already sent that share g_lastTickMsc
datetime g_lastBarTime[];
ulong    g_readySinceMs  = 0;
ulong    g_heartbeatMs   = 5000;
ulong    g_lastSentMs    = 0;
ulong    g_lastHeardMs   = 0;
ulong    g_nextConnectMs = 0;
ulong    g_backoffMs     = 1000;
string   g_doneIds[DEDUPE_SIZE];         // client order ids already executed ...
string   g_doneResults[DEDUPE_SIZE];     // ... and the result JSON sent for each
int      g_doneNext      = 0;
long     g_offsetS       = 0;            // the trade server's clock minus UTC (s), as last sent to the engine

//+------------------------------------------------------------------+
int OnInit()
  {
   if(StringLen(InpSecret) < MIN_SECRET)
     {
      PrintFormat("TradeloomBridge: InpSecret must be at least %d characters (the engine's TRADELOOM_MT5_SECRET)", MIN_SECRET);
      return(INIT_PARAMETERS_INCORRECT);
     }
   // Stored client ids older than STORE_DAYS are of no use any more (the engine looks back one day).
   GlobalVariablesDeleteAll(StoreKeyPrefix(), TimeLocal() - STORE_DAYS * 86400);
   string parts[];
   int n = StringSplit(InpSymbols, ',', parts);
   ArrayResize(g_symbols, 0);
   for(int i = 0; i < n; i++)
     {
      string s = parts[i];
      StringTrimLeft(s);
      StringTrimRight(s);
      if(s == "")
         continue;
      if(!SymbolSelect(s, true))
        {
         PrintFormat("TradeloomBridge: symbol %s is not offered by this account", s);
         continue;
        }
      int k = ArraySize(g_symbols);
      ArrayResize(g_symbols, k + 1);
      g_symbols[k] = s;
     }
   ArrayResize(g_lastTickMsc, ArraySize(g_symbols));
   ArrayResize(g_lastTickSame, ArraySize(g_symbols));
   ArrayResize(g_lastBarTime, ArraySize(g_symbols));
   ArrayInitialize(g_lastTickMsc, 0);
   ArrayInitialize(g_lastTickSame, 0);
   for(int i = 0; i < ArraySize(g_symbols); i++)
      g_lastBarTime[i] = 0;
   EventSetMillisecondTimer(InpTimerMs);
   return(INIT_SUCCEEDED);
  }

//+------------------------------------------------------------------+
void OnDeinit(const int reason)
  {
   EventKillTimer();
   Disconnect("EA removed");
  }

//+------------------------------------------------------------------+
void OnTimer()
  {
   ulong now = GetTickCount64();
   if(g_state == STATE_DOWN)
     {
      if(now >= g_nextConnectMs)
         Connect();
      return;
     }
   if(!SocketIsConnected(g_socket))
     {
      Disconnect("socket closed by the engine");
      return;
     }
   if(g_state == STATE_READY && !ReportOffsetChange())
      return; // before any reply: the engine converts its times with the offset it last heard
   ReadLines();
   now = GetTickCount64(); // ReadLines may have moved g_lastHeardMs past the earlier reading
   if(g_state == STATE_HELLO && now - g_lastHeardMs > 10000)
     {
      Disconnect("no welcome from the engine within 10 s");
      return;
     }
   if(g_state != STATE_READY)
      return;
   if(now - g_lastHeardMs > 3 * g_heartbeatMs)
     {
      Disconnect("engine silent for three heartbeat periods");
      return;
     }
   if(now - g_lastSentMs >= g_heartbeatMs)
      SendHeartbeat();
   if(g_readySinceMs != 0 && now - g_readySinceMs >= STABLE_MS)
     {
      g_backoffMs = 1000; // a stable session: the next drop reconnects quickly again
      g_readySinceMs = 0;
     }
   StreamTicksAndBars();
  }

//+------------------------------------------------------------------+
//| Deals (entries, closes, SL/TP hits, manual trades) as they happen |
//+------------------------------------------------------------------+
void OnTradeTransaction(const MqlTradeTransaction &trans, const MqlTradeRequest &request, const MqlTradeResult &result)
  {
   if(g_state != STATE_READY || trans.type != TRADE_TRANSACTION_DEAL_ADD)
      return;
   if(!HistoryDealSelect(trans.deal))
      return;
   long type = HistoryDealGetInteger(trans.deal, DEAL_TYPE);
   if(type != DEAL_TYPE_BUY && type != DEAL_TYPE_SELL)
      return;
   if(!ReportOffsetChange())
      return; // a deal just after a DST change is converted with the new offset
   Send("{\"type\":\"deal\",\"deal\":" + DealJson(trans.deal) + "}");
  }

//+------------------------------------------------------------------+
//| Connection                                                        |
//+------------------------------------------------------------------+
void Connect()
  {
   g_socket = SocketCreate();
   if(g_socket == INVALID_HANDLE)
     {
      PrintFormat("TradeloomBridge: SocketCreate failed, error %d", GetLastError());
      ScheduleReconnect();
      return;
     }
   if(!SocketConnect(g_socket, InpHost, InpPort, 2000))
     {
      int err = GetLastError();
      if(err == 4014)
         PrintFormat("TradeloomBridge: %s is not in the allowed list (Tools > Options > Expert Advisors)", InpHost);
      else
         PrintFormat("TradeloomBridge: cannot connect to %s:%d, error %d", InpHost, InpPort, err);
      SocketClose(g_socket);
      g_socket = INVALID_HANDLE;
      ScheduleReconnect();
      return;
     }
   g_tls = false;
   if(InpTls)
     {
      // The engine's certificate must be trusted by Windows (its CA in the certificate store).
      if(!SocketTlsHandshake(g_socket, InpHost))
        {
         PrintFormat("TradeloomBridge: TLS handshake with %s:%d failed, error %d (is the engine's certificate trusted by Windows?)", InpHost, InpPort, GetLastError());
         SocketClose(g_socket);
         g_socket = INVALID_HANDLE;
         ScheduleReconnect();
         return;
        }
      g_tls = true;
     }
   ArrayResize(g_rx, 0);
   g_state = STATE_HELLO;
   g_lastHeardMs = GetTickCount64();
   g_offsetS = ServerOffsetS();
   string hello = "{\"type\":\"hello\",\"v\":" + IntegerToString(PROTOCOL_VERSION)
                  + ",\"ea\":\"" + EA_NAME + "\""
                  + ",\"login\":" + IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN))
                  + ",\"server\":" + JsonQuote(AccountInfoString(ACCOUNT_SERVER))
                  + ",\"build\":" + IntegerToString(TerminalInfoInteger(TERMINAL_BUILD))
                  + ",\"timeframe\":\"" + TimeframeName(InpTimeframe) + "\""
                  + ",\"server_offset_s\":" + IntegerToString(g_offsetS) + "}";
   Send(hello);
  }

//| The trade server's clock minus UTC in seconds (UTC+2: 7200). MT5   |
//| stamps deals, positions, ticks and bars on the server's clock; the |
//| engine converts them to UTC with this. Both clocks are read here,  |
//| a moment apart, so the difference is rounded to the quarter hour.  |
long ServerOffsetS()
  {
   long raw = (long)(TimeTradeServer() - TimeGMT());
   return((long)MathRound((double)raw / OFFSET_ROUND_S) * OFFSET_ROUND_S);
  }

bool SendHeartbeat()
  {
   return(Send("{\"type\":\"heartbeat\",\"t\":" + IntegerToString((long)GetTickCount64())
               + ",\"server_offset_s\":" + IntegerToString(g_offsetS) + "}"));
  }

//| A daylight saving change moves the server's offset: reported at     |
//| once, before anything stamped after it. False once the link is gone.|
bool ReportOffsetChange()
  {
   long offset = ServerOffsetS();
   if(offset == g_offsetS)
      return(true);
   Print("TradeloomBridge: trade server offset from UTC " + IntegerToString(g_offsetS) + " s -> " + IntegerToString(offset) + " s");
   g_offsetS = offset;
   return(SendHeartbeat());
  }

void ScheduleReconnect()
  {
   g_nextConnectMs = GetTickCount64() + g_backoffMs;
   g_backoffMs = (g_backoffMs * 2 > 30000) ? 30000 : g_backoffMs * 2;
  }

void Disconnect(const string why)
  {
   if(g_socket != INVALID_HANDLE)
     {
      SocketClose(g_socket);
      PrintFormat("TradeloomBridge: disconnected (%s)", why);
     }
   g_socket = INVALID_HANDLE;
   g_tls = false;
   g_state = STATE_DOWN;
   g_readySinceMs = 0;
   ArrayResize(g_rx, 0);
   ScheduleReconnect();
  }

bool Send(const string line)
  {
   if(g_socket == INVALID_HANDLE)
      return(false);
   uchar bytes[];
   int len = StringToCharArray(line + "\n", bytes, 0, WHOLE_ARRAY, CP_UTF8) - 1; // drop the terminating zero
   int sent = 0;
   while(sent < len)
     {
      uchar chunk[];
      ArrayCopy(chunk, bytes, 0, sent, len - sent);
      int n = g_tls ? SocketTlsSend(g_socket, chunk, (uint)(len - sent)) : SocketSend(g_socket, chunk, (uint)(len - sent));
      if(n <= 0)
        {
         Disconnect("send failed, error " + IntegerToString(GetLastError()));
         return(false);
        }
      sent += n;
     }
   g_lastSentMs = GetTickCount64();
   return(true);
  }

//| Reads what is available and handles every complete line. A line   |
//| may arrive in pieces; bytes are kept until its newline arrives.   |
void ReadLines()
  {
   uchar buf[];
   int n = 0;
   if(g_tls)
      n = SocketTlsReadAvailable(g_socket, buf, 1048576); // decrypted bytes ready now; 0 is normal
   else
     {
      uint available = SocketIsReadable(g_socket);
      if(available == 0)
         return;
      n = SocketRead(g_socket, buf, available, 50);
     }
   if(n <= 0)
      return;
   g_lastHeardMs = GetTickCount64();
   int old = ArraySize(g_rx);
   ArrayResize(g_rx, old + n);
   ArrayCopy(g_rx, buf, old, 0, n);
   int start = 0;
   for(int i = 0; i < ArraySize(g_rx); i++)
     {
      if(g_rx[i] != 10)
         continue;
      string line = CharArrayToString(g_rx, start, i - start, CP_UTF8);
      start = i + 1;
      if(StringLen(line) > 0)
         Handle(line);
      if(g_state == STATE_DOWN)
         return;
     }
   int left = ArraySize(g_rx) - start;
   if(left <= 0)
     {
      ArrayResize(g_rx, 0);
      return;
     }
   if(start > 0)
     {
      uchar rest[];
      ArrayCopy(rest, g_rx, 0, start, left);
      ArrayResize(g_rx, 0);
      ArrayCopy(g_rx, rest, 0, 0, left);
     }
  }

//+------------------------------------------------------------------+
//| Messages from the engine (flat JSON objects)                      |
//+------------------------------------------------------------------+
void Handle(const string json)
  {
   string type = JsonGetString(json, "type");
   if(type == "challenge")
     {
      Send("{\"type\":\"auth\",\"digest\":\"" + Sha256Hex(JsonGetString(json, "nonce") + InpSecret) + "\"}");
      return;
     }
   if(type == "welcome")
     {
      g_state = STATE_READY;
      g_readySinceMs = GetTickCount64(); // backoff resets only once this session proves stable
      g_heartbeatMs = (ulong)MathMax(JsonGetNumber(json, "heartbeat_ms"), 1000);
      Print("TradeloomBridge: connected and authenticated");
      return;
     }
   if(type == "reject")
     {
      string reason = JsonGetString(json, "reason");
      PrintFormat("TradeloomBridge: refused by the engine: %s", reason);
      Disconnect("refused");
      if(StringFind(reason, "another EA is already connected") >= 0)
        {
         // Another chart or terminal holds the session: wait long, never fight it every second.
         g_nextConnectMs = GetTickCount64() + REFUSED_WAIT_MS;
         g_backoffMs = 30000;
        }
      return;
     }
   if(g_state != STATE_READY || type == "heartbeat")
      return;
   string id = JsonGetString(json, "id");
   if(type == "order")
      HandleOrder(json, id);
   else if(type == "symbol_get")
      Send("{\"type\":\"symbol\",\"id\":" + JsonQuote(id) + ",\"name\":" + JsonQuote(JsonGetString(json, "symbol")) + ",\"symbol\":" + SymbolJson(JsonGetString(json, "symbol")) + "}");
   else if(type == "account_get")
      Send("{\"type\":\"account\",\"id\":" + JsonQuote(id) + ",\"account\":" + AccountJson() + "}");
   else if(type == "positions_get")
      Send("{\"type\":\"positions\",\"id\":" + JsonQuote(id) + ",\"positions\":" + PositionsJson(JsonGetString(json, "symbol"), "") + "}");
   else if(type == "deals_get")
     {
      // Paged: an old engine sends no limit and gets everything (total omitted).
      bool paged = JsonValueAt(json, "limit") >= 0;
      int  total = 0;
      string deals = DealsJson((long)JsonGetNumber(json, "from"), (long)JsonGetNumber(json, "to"), "",
                               paged ? (int)JsonGetNumber(json, "offset") : 0, paged ? (int)JsonGetNumber(json, "limit") : INT_MAX, total);
      Send("{\"type\":\"deals\",\"id\":" + JsonQuote(id) + ",\"deals\":" + deals + (paged ? ",\"total\":" + IntegerToString(total) : "") + "}");
     }
   else if(type == "history")
      Send("{\"type\":\"bars\",\"id\":" + JsonQuote(id) + ",\"symbol\":" + JsonQuote(JsonGetString(json, "symbol"))
           + ",\"timeframe\":" + JsonQuote(JsonGetString(json, "timeframe"))
           + ",\"bars\":" + BarsJson(JsonGetString(json, "symbol"), JsonGetString(json, "timeframe"),
                                    (long)JsonGetNumber(json, "from"), (long)JsonGetNumber(json, "to"), (int)JsonGetNumber(json, "limit")) + "}");
   else if(type == "lookup")
      Send(FoundJson(json, id));
   else
      Send("{\"type\":\"error\",\"id\":" + JsonQuote(id) + ",\"message\":" + JsonQuote("unknown request type " + type) + "}");
  }

//| Executes an order once per client order id: a repeated id (the    |
//| engine resending after a reconnect) gets the first result again,  |
//| from memory or, after a restart, from the stored ids.             |
void HandleOrder(const string json, const string id)
  {
   string client = JsonGetString(json, "client_id");
   for(int i = 0; i < DEDUPE_SIZE; i++)
      if(g_doneIds[i] == client && client != "")
        {
         SendOrderResult(id, client, g_doneResults[i]);
         return;
        }
   string key = StoreKey(client);
   if(client != "" && GlobalVariableCheck(key))
     {
      SendOrderResult(id, client, StoredResult(GlobalVariableGet(key)));
      return;
     }
   MqlTradeRequest req;
   MqlTradeResult  res;
   ZeroMemory(req);
   ZeroMemory(res);
   req.action       = (ENUM_TRADE_REQUEST_ACTIONS)(int)JsonGetNumber(json, "action");
   req.symbol       = JsonGetString(json, "symbol");
   req.volume       = JsonGetNumber(json, "volume");
   req.type         = (ENUM_ORDER_TYPE)(int)JsonGetNumber(json, "order_type");
   req.price        = JsonGetNumber(json, "price");
   req.sl           = JsonGetNumber(json, "sl");
   req.tp           = JsonGetNumber(json, "tp");
   req.deviation    = (ulong)JsonGetNumber(json, "deviation");
   req.magic        = (ulong)JsonGetNumber(json, "magic");
   req.comment      = JsonGetString(json, "comment");   // the client id first: it stays on the order, deal and position
   req.position     = (ulong)JsonGetNumber(json, "position");
   req.type_filling = (ENUM_ORDER_TYPE_FILLING)(int)JsonGetNumber(json, "type_filling");
   req.type_time    = ORDER_TIME_GTC;
   if(req.action == TRADE_ACTION_DEAL && req.price == 0)
      req.price = (req.type == ORDER_TYPE_BUY) ? SymbolInfoDouble(req.symbol, SYMBOL_ASK) : SymbolInfoDouble(req.symbol, SYMBOL_BID);
   NormaliseRequest(req); // every action: opens, closes, SL/TP changes

   if(client != "")
     {
      GlobalVariableSet(key, -1); // "being sent": after a crash the id is never sent blind again
      GlobalVariablesFlush();
     }
   ResetLastError();
   if(!OrderSend(req, res) && res.retcode == 0)
     {
      res.retcode = TRADE_RETCODE_INVALID;
      res.comment = "OrderSend refused the request, error " + IntegerToString(GetLastError());
     }
   if(client != "")
     {
      if(res.retcode == TRADE_RETCODE_DONE || res.retcode == TRADE_RETCODE_DONE_PARTIAL || res.retcode == TRADE_RETCODE_PLACED)
         GlobalVariableSet(key, (double)(res.deal > 0 ? res.deal : res.order));
      else
         GlobalVariableDel(key); // refused: sending it again is safe
      GlobalVariablesFlush();
     }

   string result = ResultJson(res.retcode, res.deal, res.order, res.volume, res.price, res.bid, res.ask, res.comment, res.request_id, res.retcode_external);
   if(client != "")
     {
      g_doneIds[g_doneNext] = client;
      g_doneResults[g_doneNext] = result;
      g_doneNext = (g_doneNext + 1) % DEDUPE_SIZE;
     }
   SendOrderResult(id, client, result);
  }

string ResultJson(const uint retcode, const ulong deal, const ulong order, const double volume, const double price,
                  const double bid, const double ask, const string comment, const uint request_id, const uint retcode_external)
  {
   return("{\"retcode\":" + IntegerToString(retcode)
          + ",\"deal\":" + IntegerToString((long)deal)
          + ",\"order\":" + IntegerToString((long)order)
          + ",\"volume\":" + Num(volume)
          + ",\"price\":" + Num(price)
          + ",\"bid\":" + Num(bid)
          + ",\"ask\":" + Num(ask)
          + ",\"comment\":" + JsonQuote(comment)
          + ",\"request_id\":" + IntegerToString(request_id)
          + ",\"retcode_external\":" + IntegerToString(retcode_external) + "}");
  }

void SendOrderResult(const string id, const string client, const string result)
  {
   Send("{\"type\":\"order_result\",\"id\":" + JsonQuote(id) + ",\"client_id\":" + JsonQuote(client) + ",\"result\":" + result + "}");
  }

//| Stored ids: terminal global variables survive an EA or terminal    |
//| restart (GlobalVariablesFlush writes them to disk at once).        |
string StoreKeyPrefix()
  {
   return(STORE_PREFIX + IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN)) + ".");
  }

string StoreKey(const string client)
  {
   return(StoreKeyPrefix() + client);
  }

//| The answer to an id executed before a restart: its deal, or a      |
//| refusal to send it blind again when the deal is not known (yet).   |
string StoredResult(const double stored)
  {
   if(stored > 0)
     {
      ulong ticket = (ulong)stored;
      if(HistoryDealSelect(ticket))
         return(ResultJson(TRADE_RETCODE_DONE, ticket, (ulong)HistoryDealGetInteger(ticket, DEAL_ORDER), HistoryDealGetDouble(ticket, DEAL_VOLUME),
                           HistoryDealGetDouble(ticket, DEAL_PRICE), 0, 0, "Request completed (stored before a restart)", 0, 0));
     }
   return(ResultJson(TRADE_RETCODE_ERROR, 0, 0, 0, 0, 0, 0, "sent before an EA restart, outcome not in the history yet; not sent again", 0, 0));
  }

//| Price, stops and volume as the trade server accepts them, and a    |
//| filling policy the symbol allows (engine: order-normalise.ts).     |
void NormaliseRequest(MqlTradeRequest &req)
  {
   int    digits = (int)SymbolInfoInteger(req.symbol, SYMBOL_DIGITS);
   double tick   = SymbolInfoDouble(req.symbol, SYMBOL_TRADE_TICK_SIZE);
   double step   = SymbolInfoDouble(req.symbol, SYMBOL_VOLUME_STEP);
   req.price = NormalisePrice(req.price, tick, digits);
   req.sl    = NormalisePrice(req.sl, tick, digits);
   req.tp    = NormalisePrice(req.tp, tick, digits);
   if(step > 0)
     {
      // Float noise only (0.30000000000000004): a volume really off the step is the server's to refuse (10014).
      double steps = req.volume / step;
      double whole = MathRound(steps);
      if(MathAbs(steps - whole) < 1e-6)
         req.volume = NormalizeDouble(whole * step, 8);
     }
   req.type_filling = FillingFor(req.symbol, req.type_filling);
  }

double NormalisePrice(const double price, const double tick, const int digits)
  {
   if(price == 0)
      return(0);
   if(tick > 0)
      return(NormalizeDouble(MathRound(price / tick) * tick, digits));
   return(NormalizeDouble(price, digits));
  }

//| The filling policy the server accepts, as CTrade's FillingCheck:   |
//| request/instant execution: FOK only; market: the wanted one if its |
//| SYMBOL_FILLING_MODE bit is set, else FOK, else IOC; exchange:      |
//| the wanted one if allowed, else Return.                            |
ENUM_ORDER_TYPE_FILLING FillingFor(const string symbol, const ENUM_ORDER_TYPE_FILLING wanted)
  {
   ENUM_SYMBOL_TRADE_EXECUTION exe = (ENUM_SYMBOL_TRADE_EXECUTION)SymbolInfoInteger(symbol, SYMBOL_TRADE_EXEMODE);
   if(exe == SYMBOL_TRADE_EXECUTION_REQUEST || exe == SYMBOL_TRADE_EXECUTION_INSTANT)
      return(ORDER_FILLING_FOK);
   long modes = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   if(wanted == ORDER_FILLING_FOK && (modes & SYMBOL_FILLING_FOK) != 0)
      return(ORDER_FILLING_FOK);
   if(wanted == ORDER_FILLING_IOC && (modes & SYMBOL_FILLING_IOC) != 0)
      return(ORDER_FILLING_IOC);
   if(exe == SYMBOL_TRADE_EXECUTION_EXCHANGE)
      return(ORDER_FILLING_RETURN);
   if((modes & SYMBOL_FILLING_FOK) != 0)
      return(ORDER_FILLING_FOK);
   if((modes & SYMBOL_FILLING_IOC) != 0)
      return(ORDER_FILLING_IOC);
   return(ORDER_FILLING_RETURN);
  }

//| `lookup`: by client id in the comment; if nothing carries it and   |
//| the engine gave the order's details, by symbol, magic, volume,     |
//| side and time (some brokers rewrite comments).                     |
string FoundJson(const string json, const string id)
  {
   string client = JsonGetString(json, "client_id");
   long   from   = (long)JsonGetNumber(json, "from");
   long   to     = ((long)TimeCurrent() + 86400) * 1000;
   int    total  = 0;
   string deals  = DealsJson(from, to, client, 0, INT_MAX, total);
   string positions = PositionsJson("", client);
   string by = "";
   string symbol = JsonGetString(json, "symbol");
   if(deals == "[]" && positions == "[]" && symbol != "")
     {
      deals = FallbackDealsJson(from, to, symbol, (long)JsonGetNumber(json, "magic"), JsonGetNumber(json, "volume"),
                                (long)JsonGetNumber(json, "order_type"), (long)JsonGetNumber(json, "position"));
      by = ",\"by\":\"fallback\"";
     }
   return("{\"type\":\"found\",\"id\":" + JsonQuote(id) + ",\"client_id\":" + JsonQuote(client)
          + ",\"deals\":" + deals + ",\"positions\":" + positions + by + "}");
  }

string FallbackDealsJson(const long fromMs, const long toMs, const string symbol, const long magic, const double volume, const long orderType, const long position)
  {
   if(!HistorySelect((datetime)(fromMs / 1000), (datetime)(toMs / 1000 + 1)))
      return("[]");
   string out = "[";
   int count = 0;
   int n = HistoryDealsTotal();
   for(int i = 0; i < n; i++)
     {
      ulong ticket = HistoryDealGetTicket(i);
      if(ticket == 0)
         continue;
      if(HistoryDealGetString(ticket, DEAL_SYMBOL) != symbol || HistoryDealGetInteger(ticket, DEAL_MAGIC) != magic)
         continue;
      if(MathAbs(HistoryDealGetDouble(ticket, DEAL_VOLUME) - volume) > 1e-8 || HistoryDealGetInteger(ticket, DEAL_TYPE) != orderType)
         continue;
      if(HistoryDealGetInteger(ticket, DEAL_TIME_MSC) < fromMs || IsClientComment(HistoryDealGetString(ticket, DEAL_COMMENT)))
         continue;
      long entry = HistoryDealGetInteger(ticket, DEAL_ENTRY);
      if(position > 0 ? (entry != DEAL_ENTRY_OUT || HistoryDealGetInteger(ticket, DEAL_POSITION_ID) != position) : entry != DEAL_ENTRY_IN)
         continue;
      if(count++ > 0)
         out += ",";
      out += DealJson(ticket);
     }
   return(out + "]");
  }

//| True for a comment starting with a client order id: T + 8 of [0-9a-z]. |
bool IsClientComment(const string comment)
  {
   int n = StringLen(comment);
   if(n < 9 || StringGetCharacter(comment, 0) != 'T')
      return(false);
   for(int i = 1; i <= 8; i++)
     {
      ushort c = StringGetCharacter(comment, i);
      if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
         return(false);
     }
   return(n == 9 || StringGetCharacter(comment, 9) == ' ');
  }

//+------------------------------------------------------------------+
//| Streaming                                                         |
//+------------------------------------------------------------------+
void StreamTicksAndBars()
  {
   for(int i = 0; i < ArraySize(g_symbols); i++)
     {
      string s = g_symbols[i];
      if(!StreamTicks(i, s))
         return;
      datetime open0 = iTime(s, InpTimeframe, 0);
      if(open0 == 0)
         continue;
      if(g_lastBarTime[i] != 0 && open0 != g_lastBarTime[i])
        {
         MqlRates rates[];
         if(CopyRates(s, InpTimeframe, 1, 1, rates) == 1)
            Send("{\"type\":\"bar\",\"symbol\":" + JsonQuote(s) + ",\"timeframe\":\"" + TimeframeName(InpTimeframe) + "\""
                 + ",\"time\":" + IntegerToString((long)rates[0].time * 1000)
                 + ",\"open\":" + Num(rates[0].open) + ",\"high\":" + Num(rates[0].high)
                 + ",\"low\":" + Num(rates[0].low) + ",\"close\":" + Num(rates[0].close)
                 + ",\"volume\":" + IntegerToString(rates[0].tick_volume) + "}");
        }
      g_lastBarTime[i] = open0;
     }
  }

//| Every tick since the last one sent (bid/ask changes), the newest   |
//| TICKS_PER_POLL of them if more came in one poll (PROTOCOL.md,      |
//| "Ticks"). False once the connection is gone.                       |
bool StreamTicks(const int i, const string s)
  {
   if(g_lastTickMsc[i] == 0)
     {
      MqlTick last;
      if(SymbolInfoTick(s, last) && last.time_msc > 0)
        {
         g_lastTickMsc[i] = last.time_msc;
         g_lastTickSame[i] = 1;
         return(SendTick(s, last));
        }
      return(true);
     }
   MqlTick ticks[];
   int n = CopyTicksRange(s, ticks, COPY_TICKS_INFO, (ulong)g_lastTickMsc[i], 0);
   if(n <= 0)
      return(true);
   int first = 0;
   while(first < n && first < g_lastTickSame[i] && ticks[first].time_msc == g_lastTickMsc[i])
      first++; // sent in an earlier poll
   if(n - first > TICKS_PER_POLL)
      first = n - TICKS_PER_POLL;
   for(int k = first; k < n; k++)
     {
      if(ticks[k].time_msc == g_lastTickMsc[i])
         g_lastTickSame[i]++;
      else
        {
         g_lastTickMsc[i] = ticks[k].time_msc;
         g_lastTickSame[i] = 1;
        }
      if(!SendTick(s, ticks[k]))
         return(false);
     }
   return(true);
  }

bool SendTick(const string s, const MqlTick &tick)
  {
   return(Send("{\"type\":\"tick\",\"symbol\":" + JsonQuote(s) + ",\"time\":" + IntegerToString(tick.time_msc)
               + ",\"bid\":" + Num(tick.bid) + ",\"ask\":" + Num(tick.ask) + ",\"last\":" + Num(tick.last)
               + ",\"volume\":" + Num(tick.volume_real) + "}"));
  }

//| Closed bars of a symbol opened in [from, to] (to 0: now), oldest   |
//| first, at most `limit`: the `history` request.                     |
string BarsJson(const string symbol, const string timeframe, const long fromMs, const long toMs, const int limit)
  {
   ENUM_TIMEFRAMES tf = TimeframeFromName(timeframe);
   if(symbol == "" || tf == PERIOD_CURRENT || limit <= 0)
      return("[]");
   datetime start   = (datetime)((fromMs + 999) / 1000);
   datetime stop    = (toMs > 0) ? (datetime)(toMs / 1000) : TimeCurrent();
   datetime forming = iTime(symbol, tf, 0);
   MqlRates rates[];
   int n = CopyRates(symbol, tf, start, stop, rates);
   string out = "[";
   int count = 0;
   for(int k = 0; k < n && count < limit; k++)
     {
      if(forming != 0 && rates[k].time >= forming)
         continue; // still forming: sent as a "bar" when it closes
      if((long)rates[k].time * 1000 < fromMs)
         continue;
      if(count++ > 0)
         out += ",";
      out += "{\"time\":" + IntegerToString((long)rates[k].time * 1000)
             + ",\"open\":" + Num(rates[k].open) + ",\"high\":" + Num(rates[k].high)
             + ",\"low\":" + Num(rates[k].low) + ",\"close\":" + Num(rates[k].close)
             + ",\"volume\":" + IntegerToString(rates[k].tick_volume) + "}";
     }
   return(out + "]");
  }

ENUM_TIMEFRAMES TimeframeFromName(const string name)
  {
   if(name == "M1")  return(PERIOD_M1);
   if(name == "M5")  return(PERIOD_M5);
   if(name == "M15") return(PERIOD_M15);
   if(name == "M30") return(PERIOD_M30);
   if(name == "H1")  return(PERIOD_H1);
   if(name == "H4")  return(PERIOD_H4);
   if(name == "D1")  return(PERIOD_D1);
   return(PERIOD_CURRENT);
  }

string TimeframeName(const ENUM_TIMEFRAMES tf)
  {
   switch(tf)
     {
      case PERIOD_M1:  return("M1");
      case PERIOD_M5:  return("M5");
      case PERIOD_M15: return("M15");
      case PERIOD_M30: return("M30");
      case PERIOD_H1:  return("H1");
      case PERIOD_H4:  return("H4");
      case PERIOD_D1:  return("D1");
     }
   return(EnumToString(tf));
  }

//+------------------------------------------------------------------+
//| Snapshots in MT5's field names                                    |
//+------------------------------------------------------------------+
string AccountJson()
  {
   bool allowed = AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0 && TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0;
   return("{\"login\":" + IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN))
          + ",\"currency\":" + JsonQuote(AccountInfoString(ACCOUNT_CURRENCY))
          + ",\"balance\":" + Num(AccountInfoDouble(ACCOUNT_BALANCE))
          + ",\"equity\":" + Num(AccountInfoDouble(ACCOUNT_EQUITY))
          + ",\"margin\":" + Num(AccountInfoDouble(ACCOUNT_MARGIN))
          + ",\"margin_free\":" + Num(AccountInfoDouble(ACCOUNT_MARGIN_FREE))
          + ",\"leverage\":" + IntegerToString(AccountInfoInteger(ACCOUNT_LEVERAGE))
          + ",\"server\":" + JsonQuote(AccountInfoString(ACCOUNT_SERVER))
          + ",\"trade_allowed\":" + (allowed ? "true" : "false") + "}");
  }

string SymbolJson(const string s)
  {
   bool custom = false;
   if(s == "" || !SymbolExist(s, custom))
      return("null");
   SymbolSelect(s, true);
   return("{\"name\":" + JsonQuote(s)
          + ",\"digits\":" + IntegerToString(SymbolInfoInteger(s, SYMBOL_DIGITS))
          + ",\"point\":" + Num(SymbolInfoDouble(s, SYMBOL_POINT))
          + ",\"trade_tick_size\":" + Num(SymbolInfoDouble(s, SYMBOL_TRADE_TICK_SIZE))
          + ",\"trade_tick_value\":" + Num(SymbolInfoDouble(s, SYMBOL_TRADE_TICK_VALUE))
          + ",\"trade_contract_size\":" + Num(SymbolInfoDouble(s, SYMBOL_TRADE_CONTRACT_SIZE))
          + ",\"volume_min\":" + Num(SymbolInfoDouble(s, SYMBOL_VOLUME_MIN))
          + ",\"volume_step\":" + Num(SymbolInfoDouble(s, SYMBOL_VOLUME_STEP))
          + ",\"volume_max\":" + Num(SymbolInfoDouble(s, SYMBOL_VOLUME_MAX))
          + ",\"trade_stops_level\":" + IntegerToString(SymbolInfoInteger(s, SYMBOL_TRADE_STOPS_LEVEL))
          + ",\"filling_mode\":" + IntegerToString(SymbolInfoInteger(s, SYMBOL_FILLING_MODE))
          + ",\"currency_base\":" + JsonQuote(SymbolInfoString(s, SYMBOL_CURRENCY_BASE))
          + ",\"currency_profit\":" + JsonQuote(SymbolInfoString(s, SYMBOL_CURRENCY_PROFIT))
          + ",\"bid\":" + Num(SymbolInfoDouble(s, SYMBOL_BID))
          + ",\"ask\":" + Num(SymbolInfoDouble(s, SYMBOL_ASK))
          + ",\"spread\":" + IntegerToString(SymbolInfoInteger(s, SYMBOL_SPREAD)) + "}");
  }

//| Open positions, optionally of one symbol or carrying one client id. |
string PositionsJson(const string symbol, const string client)
  {
   string out = "[";
   int count = 0;
   for(int i = 0; i < PositionsTotal(); i++)
     {
      ulong ticket = PositionGetTicket(i);
      if(ticket == 0)
         continue;
      string s = PositionGetString(POSITION_SYMBOL);
      string comment = PositionGetString(POSITION_COMMENT);
      if(symbol != "" && s != symbol)
         continue;
      if(client != "" && StringFind(comment, client) != 0)
         continue;
      if(count++ > 0)
         out += ",";
      out += "{\"ticket\":" + IntegerToString((long)ticket)
             + ",\"time\":" + IntegerToString(PositionGetInteger(POSITION_TIME_MSC))
             + ",\"type\":" + IntegerToString(PositionGetInteger(POSITION_TYPE))
             + ",\"magic\":" + IntegerToString(PositionGetInteger(POSITION_MAGIC))
             + ",\"identifier\":" + IntegerToString(PositionGetInteger(POSITION_IDENTIFIER))
             + ",\"volume\":" + Num(PositionGetDouble(POSITION_VOLUME))
             + ",\"price_open\":" + Num(PositionGetDouble(POSITION_PRICE_OPEN))
             + ",\"sl\":" + Num(PositionGetDouble(POSITION_SL))
             + ",\"tp\":" + Num(PositionGetDouble(POSITION_TP))
             + ",\"price_current\":" + Num(PositionGetDouble(POSITION_PRICE_CURRENT))
             + ",\"swap\":" + Num(PositionGetDouble(POSITION_SWAP))
             + ",\"profit\":" + Num(PositionGetDouble(POSITION_PROFIT))
             + ",\"symbol\":" + JsonQuote(s)
             + ",\"comment\":" + JsonQuote(comment) + "}";
     }
   return(out + "]");
  }

//| Trade deals (buy/sell) with from <= time_msc <= to, optionally only |
//| those carrying a client order id; `limit` of them from position    |
//| `offset` (paging), `total` set to how many match in all.           |
string DealsJson(const long fromMs, const long toMs, const string client, const int offset, const int limit, int &total)
  {
   total = 0;
   if(!HistorySelect((datetime)(fromMs / 1000), (datetime)(toMs / 1000 + 1)))
      return("[]");
   string out = "[";
   int count = 0;
   int n = HistoryDealsTotal();
   long end = (long)offset + (long)limit;
   for(int i = 0; i < n; i++)
     {
      ulong ticket = HistoryDealGetTicket(i);
      if(ticket == 0)
         continue;
      long type = HistoryDealGetInteger(ticket, DEAL_TYPE);
      long time = HistoryDealGetInteger(ticket, DEAL_TIME_MSC);
      if(type != DEAL_TYPE_BUY && type != DEAL_TYPE_SELL)
         continue;
      if(time < fromMs || time > toMs)
         continue;
      if(client != "" && StringFind(HistoryDealGetString(ticket, DEAL_COMMENT), client) != 0)
         continue;
      long k = total++;
      if(k < offset || k >= end)
         continue;
      if(count++ > 0)
         out += ",";
      out += DealJson(ticket);
     }
   return(out + "]");
  }

string DealJson(const ulong ticket)
  {
   return("{\"ticket\":" + IntegerToString((long)ticket)
          + ",\"order\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_ORDER))
          + ",\"time\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_TIME_MSC))
          + ",\"type\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_TYPE))
          + ",\"entry\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_ENTRY))
          + ",\"magic\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_MAGIC))
          + ",\"position_id\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_POSITION_ID))
          + ",\"reason\":" + IntegerToString(HistoryDealGetInteger(ticket, DEAL_REASON))
          + ",\"volume\":" + Num(HistoryDealGetDouble(ticket, DEAL_VOLUME))
          + ",\"price\":" + Num(HistoryDealGetDouble(ticket, DEAL_PRICE))
          + ",\"commission\":" + Num(HistoryDealGetDouble(ticket, DEAL_COMMISSION))
          + ",\"swap\":" + Num(HistoryDealGetDouble(ticket, DEAL_SWAP))
          + ",\"profit\":" + Num(HistoryDealGetDouble(ticket, DEAL_PROFIT))
          + ",\"symbol\":" + JsonQuote(HistoryDealGetString(ticket, DEAL_SYMBOL))
          + ",\"comment\":" + JsonQuote(HistoryDealGetString(ticket, DEAL_COMMENT)) + "}");
  }

//+------------------------------------------------------------------+
//| JSON by hand: writing                                             |
//+------------------------------------------------------------------+
string Num(const double v)
  {
   if(!MathIsValidNumber(v))
      return("0");
   string s = DoubleToString(v, 8);
   // trim trailing zeros so 1.10012000 travels as 1.10012
   int n = StringLen(s);
   while(n > 1 && StringGetCharacter(s, n - 1) == '0')
      n--;
   if(n > 0 && StringGetCharacter(s, n - 1) == '.')
      n--;
   return(StringSubstr(s, 0, n));
  }

string JsonQuote(const string s)
  {
   string out = "\"";
   int n = StringLen(s);
   for(int i = 0; i < n; i++)
     {
      ushort c = StringGetCharacter(s, i);
      if(c == '"')
         out += "\\\"";
      else if(c == '\\')
         out += "\\\\";
      else if(c == '\n')
         out += "\\n";
      else if(c == '\r')
         out += "\\r";
      else if(c == '\t')
         out += "\\t";
      else if(c < 0x20)
         out += StringFormat("\\u%04x", c);
      else
         out += ShortToString(c);
     }
   return(out + "\"");
  }

//+------------------------------------------------------------------+
//| JSON by hand: reading flat objects (all engine messages are flat) |
//+------------------------------------------------------------------+
//| Index just after `"key":` (and spaces), or -1.                     |
int JsonValueAt(const string json, const string key)
  {
   string pattern = "\"" + key + "\"";
   int n = StringLen(json);
   int p = StringFind(json, pattern, 0);
   while(p >= 0)
     {
      // a key is never preceded by a backslash (that would be text inside a string value)
      if(p == 0 || StringGetCharacter(json, p - 1) != '\\')
        {
         int q = p + StringLen(pattern);
         while(q < n && StringGetCharacter(json, q) == ' ')
            q++;
         if(q < n && StringGetCharacter(json, q) == ':')
           {
            q++;
            while(q < n && StringGetCharacter(json, q) == ' ')
               q++;
            return(q);
           }
        }
      p = StringFind(json, pattern, p + 1);
     }
   return(-1);
  }

string JsonGetString(const string json, const string key)
  {
   int i = JsonValueAt(json, key);
   int n = StringLen(json);
   if(i < 0 || i >= n || StringGetCharacter(json, i) != '"')
      return("");
   string out = "";
   for(i = i + 1; i < n; i++)
     {
      ushort c = StringGetCharacter(json, i);
      if(c == '"')
         break;
      if(c != '\\' || i + 1 >= n)
        {
         out += ShortToString(c);
         continue;
        }
      ushort e = StringGetCharacter(json, ++i);
      if(e == 'n')
         out += "\n";
      else if(e == 't')
         out += "\t";
      else if(e == 'r')
         out += "\r";
      else if(e == 'u' && i + 4 < n)
        {
         out += ShortToString(HexToUshort(StringSubstr(json, i + 1, 4)));
         i += 4;
        }
      else
         out += ShortToString(e); // \" \\ \/
     }
   return(out);
  }

ushort HexToUshort(const string hex)
  {
   ushort v = 0;
   for(int k = 0; k < StringLen(hex); k++)
     {
      ushort c = StringGetCharacter(hex, k);
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 0;
      v = (ushort)(v * 16 + d);
     }
   return(v);
  }

double JsonGetNumber(const string json, const string key)
  {
   int i = JsonValueAt(json, key);
   if(i < 0)
      return(0);
   int n = StringLen(json);
   int j = i;
   while(j < n)
     {
      ushort c = StringGetCharacter(json, j);
      if(c == ',' || c == '}' || c == ' ')
         break;
      j++;
     }
   return(StringToDouble(StringSubstr(json, i, j - i)));
  }

//+------------------------------------------------------------------+
//| sha256(nonce + secret) in lowercase hex, for the auth answer       |
//+------------------------------------------------------------------+
string Sha256Hex(const string text)
  {
   uchar data[], key[], hash[];
   int len = StringToCharArray(text, data, 0, WHOLE_ARRAY, CP_UTF8) - 1;
   ArrayResize(data, len);
   ArrayResize(key, 0); // hashes take no key
   if(CryptEncode(CRYPT_HASH_SHA256, data, key, hash) != 32)
      return("");
   string out = "";
   for(int i = 0; i < 32; i++)
      out += StringFormat("%02x", hash[i]);
   return(out);
  }
//+------------------------------------------------------------------+
