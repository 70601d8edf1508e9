// The text the tiny tokenizer's merges are learned from: a little English prose, code, numbers,
// chat-style turns, Chinese and emoji, so that merges cover multi-byte characters too (the
// tests of incremental detokenisation need tokens that split a character). Written for fleetlab.

export const TINY_CORPUS = [
  'The scheduler plans one step at a time: it admits waiting requests while the token budget and the free KV blocks allow, then runs every running request for one more token.',
  'When memory runs short the newest request is preempted, its blocks are freed, and it is recomputed later from its prompt and the tokens it has already produced.',
  'A fleet of instances serves many users at once. The manager reads a report from every instance after each step and decides where new requests go, which requests migrate, and when to add or remove instances.',
  'Migration copies the key and value cache of a running request from one instance to another while it keeps decoding, so the pause the user sees is short.',
  'Loading a checkpoint quickly matters when a model starts cold: the loader reads large aligned chunks from disk with several threads and copies them into memory.',
  'Hello, world! How are you today? I am fine, thank you. What would you like to talk about?',
  'user: Can you explain what a token is?\nassistant: A token is a piece of text, often a word or part of a word, that the model reads and writes one at a time.',
  'user: Write a short poem about the sea.\nassistant: The sea is wide and deep and blue; it sings at night and shines at noon.',
  'function add(a, b) {\n  return a + b;\n}\nconst total = add(40, 2); // 42\nconsole.log(`total = ${total}`);',
  'def greet(name):\n    return f"Hello, {name}!"\n\nfor i in range(10):\n    print(greet("fleet"), i)',
  'Numbers: 0 1 2 3 4 5 6 7 8 9 10 16 32 64 128 256 512 1024 2048 4096. Dates: 2024-07-26, 2025-01-01.',
  "It's the model's turn; they're ready, we've waited, I'm here, you'll see, he'd know.",
  '你好，世界！今天天气很好。我们一起学习语言模型。模型一次生成一个词元，调度器决定哪些请求先运行。',
  '大语言模型的推理需要很多显存。迁移可以把正在运行的请求从一台机器搬到另一台机器。',
  '你好！我很好，谢谢你。你今天想聊什么？',
  'Emoji: 😀 😃 😄 🚀 🌊 ❤️ 👍 🎉 🤖 — the robot 🤖 waves 👋 and the rocket 🚀 launches.',
  'Café, naïve, résumé, über, São Paulo, Zürich, Ελληνικά, русский язык.',
].join('\n\n');
