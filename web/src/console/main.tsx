import { render } from 'preact';
import '../ui/base.css';
import './console.css';
import { I18nProvider } from '../i18n/i18n';
import { ConsoleApp } from './console-app';

render(
  <I18nProvider>
    <ConsoleApp />
  </I18nProvider>,
  document.getElementById('app')!,
);
