/**
 * Colours, switched off as a whole with --no-color or NO_COLOR (bold, dim and inverse stay: they are not colours).
 * Components ask `useTheme()` for a colour name and get undefined when colours are off.
 */
import {createContext, useContext} from 'react';

export interface Theme {
  readonly color: boolean;
}

export const ThemeContext = createContext<Theme>({color: true});

export type ColorName = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

export interface Palette {
  /** A colour, or undefined when colours are off. */
  (name: ColorName): ColorName | undefined;
  /** A stable colour for a sender's name. */
  sender(name: string): ColorName | undefined;
}

const SENDER_COLORS: readonly ColorName[] = ['green', 'yellow', 'magenta', 'blue', 'red', 'cyan'];

export function palette(theme: Theme): Palette {
  const pick = ((name: ColorName) => (theme.color ? name : undefined)) as Palette;
  pick.sender = (name: string) => {
    let hash = 0;
    for (const char of name.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
    return theme.color ? SENDER_COLORS[hash % SENDER_COLORS.length] : undefined;
  };
  return pick;
}

export function usePalette(): Palette {
  return palette(useContext(ThemeContext));
}
