#!/usr/bin/env node
// sipflow samples: a tiny SIP-over-WebSocket (RFC 7118) server and client,
// built on the npm "ws" package. make_samples.sh runs both inside a
// throw-away network namespace to make ws_sip.pcap.
//
//   node ws_sip.js server [HOST] [PORT]   # default 127.0.0.1 8080
//   node ws_sip.js client [HOST] [PORT]
//
// The WebSocket subprotocol is "sip"; every SIP message is one text message.
// The client (alice) sends, waiting for the answer each time:
//   REGISTER                       -> 200 OK
//   INVITE (SDP), sent as TWO frames: a text frame with FIN=0 holding the
//     headers, then a continuation frame with FIN=1 holding the body
//                                  -> 180 Ringing, 200 OK (SDP)
//   ACK
//   a WebSocket ping ("sipflow")   -> pong (sent by ws by itself)
//   BYE                            -> 200 OK
//   a WebSocket close (1000)       -> close (1000)
// Client frames are masked (ws always masks client frames, RFC 6455 5.3);
// server frames are not. Compression (permessage-deflate) is off, so the
// SIP text is readable on the wire. Call-IDs, tags and branches are fixed
// strings, so only the timestamps, ports, TCP sequence numbers and masking
// keys change from run to run. Both sides exit by themselves; the server
// serves exactly one connection. Each side gives up after 10 s.
'use strict';

const WebSocket = require('ws');

const mode = process.argv[2];
const host = process.argv[3] || '127.0.0.1';
// An IPv6 address is bracketed in URIs and URLs (RFC 3986) and IP6 in SDP.
const v6 = host.includes(':');
const uriHost = v6 ? `[${host}]` : host;
const ipv = v6 ? 'IP6' : 'IP4';
const port = Number(process.argv[4] || 8080);
const CRLF = '\r\n';

function die(msg) {
  console.error(`ws_sip ${mode}: ${msg}`);
  process.exit(1);
}
setTimeout(() => die('timed out'), 10000).unref();

// Build a SIP message from a start line, header lines and an optional body.
function sip(startLine, headers, body = '') {
  const all = headers.concat([`Content-Length: ${Buffer.byteLength(body)}`]);
  return startLine + CRLF + all.join(CRLF) + CRLF + CRLF + body;
}

function parse(text) {
  const [head] = text.split(CRLF + CRLF);
  const lines = head.split(CRLF);
  const hdr = (name) => {
    const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'i');
    for (const l of lines) {
      const m = re.exec(l);
      if (m) return m[1];
    }
    return undefined;
  };
  const m = /^SIP\/2\.0 (\d{3})/.exec(lines[0]);
  const cseq = (hdr('CSeq') || '').split(/\s+/);
  return {
    start: lines[0],
    status: m ? Number(m[1]) : undefined,
    method: m ? undefined : lines[0].split(' ')[0],
    cseqMethod: cseq[1],
    hdr,
  };
}

const sdp = (user, sessVersion) => [
  'v=0',
  `o=${user} 2890844526 ${sessVersion} IN ${ipv} ${host}`,
  's=-',
  `c=IN ${ipv} ${host}`,
  't=0 0',
  'm=audio 6000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join(CRLF);

// ------------------------------------------------------------------ server --
function server() {
  const wss = new WebSocket.Server({
    host,
    port,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  wss.on('listening', () => console.log(`listening on ${host}:${port}`));
  wss.on('error', (e) => die(e.message));
  wss.on('connection', (ws, req) => {
    console.log(`connection from ${req.socket.remoteAddress}:${req.socket.remotePort}, protocol ${ws.protocol}`);
    ws.on('message', (data, isBinary) => {
      if (isBinary) die('binary message');
      const text = data.toString('utf8');
      const m = parse(text);
      console.log(`<- ${m.start}`);
      const toTag = ';tag=wsbob-4711';
      const reply = (code, reason, extra = [], body = '') => {
        const to = m.hdr('To') + (/;tag=/.test(m.hdr('To')) ? '' : toTag);
        const msg = sip(`SIP/2.0 ${code} ${reason}`, [
          `Via: ${m.hdr('Via')}`,
          `From: ${m.hdr('From')}`,
          `To: ${to}`,
          `Call-ID: ${m.hdr('Call-ID')}`,
          `CSeq: ${m.hdr('CSeq')}`,
        ].concat(extra), body);
        console.log(`-> SIP/2.0 ${code} ${reason}`);
        ws.send(msg);
      };
      const contact = `Contact: <sip:bob@${uriHost}:${port};transport=ws>`;
      switch (m.method) {
        case 'REGISTER':
          reply(200, 'OK', [`Contact: ${m.hdr('Contact')};expires=600`, 'Server: sipflow-samples ws_sip.js']);
          break;
        case 'INVITE':
          reply(180, 'Ringing', [contact]);
          setTimeout(() => reply(200, 'OK', [contact, 'Server: sipflow-samples ws_sip.js',
            'Content-Type: application/sdp'], sdp('bob', 1)), 100);
          break;
        case 'ACK':
          break;
        case 'BYE':
          reply(200, 'OK', []);
          break;
        default:
          reply(405, 'Method Not Allowed', ['Allow: REGISTER, INVITE, ACK, BYE']);
      }
    });
    ws.on('ping', (payload) => console.log(`<- ping ${payload}`));
    ws.on('close', (code, reason) => {
      console.log(`closed ${code} ${reason}`);
      wss.close(() => process.exit(0));
    });
  });
}

// ------------------------------------------------------------------ client --
function client() {
  const url = `ws://${uriHost}:${port}`;
  const ws = new WebSocket(url, 'sip', { perMessageDeflate: false });
  const domain = 'sipflow.test';
  const via = (branch) => `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${branch}`;
  const from = `From: "Alice" <sip:alice@${domain}>;tag=wsalice-1`;
  const contact = 'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>';
  const common = ['Max-Forwards: 70', 'User-Agent: sipflow-samples ws_sip.js'];
  let toWithTag;

  const register = () => sip(`REGISTER sip:${domain} SIP/2.0`, [
    via('ws-reg-1'),
    from.replace('wsalice-1', 'wsalice-reg'),
    `To: <sip:alice@${domain}>`,
    'Call-ID: ws-register-1@sipflow.test',
    'CSeq: 1 REGISTER',
    contact,
    'Expires: 600',
  ].concat(common));
  const inDialog = (method, cseq, branch) => sip(`${method} sip:bob@${uriHost}:${port};transport=ws SIP/2.0`, [
    via(branch),
    from,
    `To: ${toWithTag}`,
    'Call-ID: ws-call-1@sipflow.test',
    `CSeq: ${cseq} ${method}`,
    contact,
  ].concat(common));
  const invite = () => sip(`INVITE sip:bob@${domain} SIP/2.0`, [
    via('ws-inv-1'),
    from,
    `To: <sip:bob@${domain}>`,
    'Call-ID: ws-call-1@sipflow.test',
    'CSeq: 1 INVITE',
    contact,
    'Content-Type: application/sdp',
  ].concat(common), sdp('alice', 1));

  const send = (text) => {
    console.log(`-> ${text.split(CRLF)[0]}`);
    ws.send(text);
  };

  ws.on('error', (e) => die(e.message));
  ws.on('open', () => {
    console.log(`connected to ${url}, protocol ${ws.protocol}`);
    if (ws.protocol !== 'sip') die('server did not accept subprotocol "sip"');
    send(register());
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) die('binary message');
    const m = parse(data.toString('utf8'));
    console.log(`<- ${m.start}`);
    if (m.cseqMethod === 'REGISTER' && m.status === 200) {
      // The INVITE as two frames: headers (FIN=0), then the body (FIN=1).
      const text = invite();
      const cut = text.indexOf(CRLF + CRLF) + 4;
      console.log(`-> ${text.split(CRLF)[0]} (2 frames: ${cut} + ${text.length - cut} bytes)`);
      ws.send(text.slice(0, cut), { fin: false });
      ws.send(text.slice(cut), { fin: true });
    } else if (m.cseqMethod === 'INVITE' && m.status === 200) {
      toWithTag = m.hdr('To');
      send(inDialog('ACK', 1, 'ws-ack-1'));
      setTimeout(() => {
        console.log('-> ping');
        ws.ping('sipflow');
      }, 100);
    } else if (m.cseqMethod === 'BYE' && m.status === 200) {
      setTimeout(() => ws.close(1000, 'done'), 100);
    }
  });
  ws.on('pong', (payload) => {
    console.log(`<- pong ${payload}`);
    setTimeout(() => send(inDialog('BYE', 2, 'ws-bye-1')), 100);
  });
  ws.on('close', (code, reason) => {
    console.log(`closed ${code} ${reason}`);
    process.exit(code === 1000 ? 0 : 1);
  });
}

if (mode === 'server') server();
else if (mode === 'client') client();
else die('usage: node ws_sip.js server|client [HOST] [PORT]');
