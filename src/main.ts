import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { bootPictureShown } from './lib/library/boot';

performance.mark('atelier:main');
const target = document.getElementById('app');
if (!target) throw new Error('Atelier: #app element missing from index.html');

// Opening on the library, public/library-boot.js has put its first screen on the page: the browser shows it
// before the app's first (long) task runs, rather than after.
await bootPictureShown(document);
const app = mount(App, { target });
performance.mark('atelier:mounted');
export default app;
