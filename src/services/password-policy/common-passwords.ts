/**
 * The most common passwords of 8 or more characters (shorter ones fail the length rule anyway), from public
 * breach lists (SecLists' top lists, Brazilian variants included). Compared lower-cased.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '00000000', '0987654321', '11111111', '11223344', '12121212', '123123123', '123123qwe', '123321123', '12341234',
  '1234512345', '12345678', '123456789', '1234567890', '12345678910', '123456789a', '1234abcd', '1234qwer',
  '123abc123', '123qwe123', '12qwaszx', '13131313', '147258369', '159753456', '1a2b3c4d', '1password', '1q2w3e4r',
  '1q2w3e4r5t', '1qaz2wsx', '22222222', '33333333', '44444444', '55555555', '66666666', '741852963', '77777777',
  '87654321', '88888888', '963852741', '987654321', '9876543210', '99999999', '999999999', 'a123456789', 'a1b2c3d4',
  'aa123456', 'aa12345678', 'aaaaaaaa', 'abc12345', 'abcabcabc', 'abcd1234', 'abcdefgh', 'admin123', 'admin1234',
  'administrator', 'apple123', 'arsenal1', 'asdf1234', 'asdfasdf', 'asdfghjkl', 'asshole1', 'autumn2024',
  'azerty123', 'azertyuiop', 'babygirl1', 'baseball', 'basketball', 'batman123', 'blink182', 'brasil123', 'changeme',
  'changeme123', 'charlie1', 'chelsea1', 'computer', 'contrasena', 'contraseña', 'corinthians', 'december1',
  'default1', 'dragon123', 'facebook', 'flamengo', 'football', 'football1', 'freedom1', 'fuckyou1', 'google123',
  'gremio123', 'guest123', 'hallo123', 'hello123', 'hellohello', 'hockey123', 'ilovemom', 'iloveyou', 'iloveyou1',
  'iloveyou2', 'instagram', 'internet', 'january1', 'jennifer', 'jordan23', 'killer123', 'letmein1', 'letmein123',
  'letmeinnow', 'liverpool', 'lovely123', 'loveme123', 'manchester', 'master123', 'messi123', 'metallica',
  'michael1', 'minecraft', 'monkey123', 'motdepasse', 'mudar123', 'mustang1', 'mypassword', 'naruto123', 'neymar10',
  'nirvana1', 'p@ssw0rd', 'p@ssword', 'pa55word', 'palmeiras', 'passpass', 'passw0rd', 'password', 'password1',
  'password12', 'password123', 'password1234', 'password2024', 'password2025', 'password2026', 'passwort',
  'pokemon1', 'princess', 'princess1', 'q1w2e3r4', 'q1w2e3r4t5', 'qazwsxedc', 'qweasdzxc', 'qweqweqwe', 'qwer1234',
  'qwerty123', 'qwerty1234', 'qwerty12345', 'qwertyui', 'qwertyuiop', 'ronaldo7', 'root1234', 'samsung1', 'saopaulo',
  'schatz123', 'secret123', 'senha123', 'senha1234', 'shadow123', 'soccer123', 'spring2025', 'starwars',
  'summer2024', 'summer2025', 'sunshine', 'sunshine1', 'superman', 'test1234', 'testing123', 'tigger123', 'toor1234',
  'trustno1', 'vasco123', 'welcome1', 'welcome123', 'whatever', 'whatsapp', 'whatsapp123', 'winter2024', 'wordpass',
  'zaq12wsx', 'zaq1zaq1', 'zxcv1234', 'zxcvbnm1', 'zxcvbnmasdf',
]);
