import { loadTokenizer } from './backend/model/index.ts';
import { Detokenizer } from './backend/engine/detokenizer.ts';
const texts = ['Hello world', 'Hello, my dog is cute', '你好，世界！大语言模型的推理需要很多显存。', 'Emoji 🚀🤖👋 family 👨‍👩‍👧 flag 🇯🇵 ❤️', "  indented\n\ttabs and 12345 numbers, it's fine"];
for (const name of ['qwen3', 'llama3', 'llama3_1']) {
  const tok = await loadTokenizer(`/tmp/mio/real-${name}/package/models`);
  console.log(`== ${name}: vocab ${tok.vocab_size}, eos ${JSON.stringify(tok.eos_token_ids)}, bos ${tok.bos_token_id}`);
  for (const s of texts) {
    const ids = tok.encode(s);
    const plain = tok.encode(s, { add_special_tokens: false });
    const d = new Detokenizer(tok);
    const inc = plain.map((id) => d.push(id)).join('') + d.flush();
    console.log(JSON.stringify(s).slice(0, 30), JSON.stringify(ids.slice(0, 8)), 'roundtrip', tok.decode(plain) === s, 'incremental', inc === s, 'skip-special', tok.decode(ids, { skip_special_tokens: true }) === s);
  }
  const chat = tok.applyChatTemplate([{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: 'Hi' }], { add_generation_prompt: true });
  console.log(JSON.stringify(chat));
  const cids = tok.encode(chat, { add_special_tokens: false });
  console.log(JSON.stringify(cids.slice(0, 12)), cids.length);
}
