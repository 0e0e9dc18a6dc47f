export {
  MIN_HEIGHT_PX,
  mountRecurWidget,
  type RecurWidgetHandle,
  type RecurWidgetOptions,
  type SubscribedEvent,
  type WidgetLanguage,
} from "./mountRecurWidget.js";
