import { mount } from 'svelte';
import './styles/global.css';
import App from './App.svelte';
import { i18n } from './lib/i18n/index.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
// A Chinese OS loads the Chinese catalog first, so the first paint is not in English.
void i18n.ready.then(() => mount(App, { target }));
