// A graphql-ws (npm) client: subscribe to messageAdded and print each message as one JSON line.
// Usage: node subscribe.mjs <ws url> <token> <conversation id> <count>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, conversationId, count] = process.argv.slice(2);
const wanted = Number(count);

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

const timer = setTimeout(() => {
  console.error('timed out');
  process.exit(2);
}, 20000);

let received = 0;
const query = `subscription ($c: ID!) {
  messageAdded(conversationId: $c, afterSeq: 0) { id seq content }
}`;
const unsubscribe = client.subscribe(
  { query, variables: { c: conversationId } },
  {
    next: (result) => {
      if (result.errors) {
        console.error(JSON.stringify(result.errors));
        process.exit(3);
      }
      console.log(JSON.stringify(result.data.messageAdded));
      received += 1;
      if (received >= wanted) {
        clearTimeout(timer);
        unsubscribe();
        client.dispose();
      }
    },
    error: (error) => {
      console.error('error', error?.code ?? '', error?.reason ?? JSON.stringify(error));
      process.exit(4);
    },
    complete: () => {},
  },
);
