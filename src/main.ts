import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

performance.mark('atelier:main');
const target = document.getElementById('app');
if (!target) throw new Error('Atelier: #app element missing from index.html');

const app = mount(App, { target });
performance.mark('atelier:mounted');
export default app;
