import { render } from 'preact';
import '../../ui/base.css';
import '../../camera/camera.css';
import '../kiosk.css';
import { I18nProvider } from '../../i18n/i18n';
import { EnrolApp } from './enrol-app';

render(
  <I18nProvider>
    <EnrolApp />
  </I18nProvider>,
  document.getElementById('app')!,
);
